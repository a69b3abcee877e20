package store

import (
	"context"
	"database/sql"
	"strings"
)

// multiRowInsert writes many rows of one table with few statements: rows
// go in chunks of 64, 32, 16, 8, 4, 2 and 1, one multi-row INSERT per
// chunk, so a batch of up to 127 rows takes at most 7 statements. The
// click writer commits batches of a few to a few hundred rows, where one
// statement per row costs more in the driver than SQLite spends storing
// the row. The statements are prepared once, by prepare, on the write pool:
// preparing inside a transaction would wait for the pool's only connection,
// which the transaction holds.
type multiRowInsert struct {
	head string // "INSERT INTO t (a, b) VALUES "
	row  string // "(?, ?)": cols placeholders
	tail string // an ON CONFLICT clause, or ""
	cols int

	stmts [len(multiRowChunks)]*sql.Stmt // by index in multiRowChunks
}

var multiRowChunks = [...]int{64, 32, 16, 8, 4, 2, 1}

// prepare prepares a statement per chunk size on db.
func (m *multiRowInsert) prepare(ctx context.Context, db *sql.DB) error {
	for i, n := range multiRowChunks {
		var q strings.Builder
		q.WriteString(m.head)
		for j := range n {
			if j > 0 {
				q.WriteString(", ")
			}
			q.WriteString(m.row)
		}
		q.WriteString(m.tail)
		st, err := db.PrepareContext(ctx, q.String())
		if err != nil {
			return err
		}
		m.stmts[i] = st
	}
	return nil
}

// exec inserts, within tx, the rows whose values args holds, cols per row
// in order.
func (m *multiRowInsert) exec(ctx context.Context, tx *sql.Tx, args []any) error {
	for i, n := range multiRowChunks {
		for size := n * m.cols; len(args) >= size; args = args[size:] {
			if _, err := tx.StmtContext(ctx, m.stmts[i]).ExecContext(ctx, args[:size]...); err != nil {
				return err
			}
		}
	}
	return nil
}

// query is exec for an INSERT with a RETURNING clause: each returned row
// is passed to fn.
func (m *multiRowInsert) query(ctx context.Context, tx *sql.Tx, args []any, fn func(*sql.Rows) error) error {
	for i, n := range multiRowChunks {
		for size := n * m.cols; len(args) >= size; args = args[size:] {
			rows, err := tx.StmtContext(ctx, m.stmts[i]).QueryContext(ctx, args[:size]...)
			if err != nil {
				return err
			}
			for rows.Next() {
				if err := fn(rows); err != nil {
					rows.Close()
					return err
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}
