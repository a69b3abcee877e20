package store

import (
	"context"
	"database/sql"
	"strings"
)

// maxRowsPerInsert is the most rows one multi-row INSERT of
// multiRowInsert writes: 64 rows of 4 values stay far below SQLite's limit
// of 32766 parameters.
const maxRowsPerInsert = 64

// multiRowInsert writes many rows of one table with few statements: one
// multi-row INSERT per maxRowsPerInsert rows, and one for the rest, each
// size's statement prepared once, so that a batch of up to 64 rows is a
// single statement. The click writer commits batches of a few to a few
// hundred rows, where one statement per row costs more in the driver than
// SQLite spends storing the row. The statements are prepared by prepare,
// on the write pool, before any transaction: preparing inside one would
// wait for the pool's only connection, which the transaction holds.
type multiRowInsert struct {
	head string // "INSERT INTO t (a, b) VALUES "
	row  string // "(?, ?)": cols placeholders
	cols int

	stmts [maxRowsPerInsert + 1]*sql.Stmt // by number of rows
}

// prepare prepares the statement of every number of rows on db.
func (m *multiRowInsert) prepare(ctx context.Context, db *sql.DB) error {
	var q strings.Builder
	for n := 1; n <= maxRowsPerInsert; n++ {
		q.Reset()
		q.WriteString(m.head)
		for j := range n {
			if j > 0 {
				q.WriteString(", ")
			}
			q.WriteString(m.row)
		}
		st, err := db.PrepareContext(ctx, q.String())
		if err != nil {
			return err
		}
		m.stmts[n] = st
	}
	return nil
}

// exec inserts, within tx, the rows whose values args holds, cols per row
// in order.
func (m *multiRowInsert) exec(ctx context.Context, tx *sql.Tx, args []any) error {
	for len(args) > 0 {
		n := min(maxRowsPerInsert, len(args)/m.cols)
		if _, err := tx.StmtContext(ctx, m.stmts[n]).ExecContext(ctx, args[:n*m.cols]...); err != nil {
			return err
		}
		args = args[n*m.cols:]
	}
	return nil
}
