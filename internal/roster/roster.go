// Package roster reads the people-and-groups CSV files HR imports: one row
// per person, with the department, location and team they belong to. It
// checks every row and reports each problem with its line, so a file is
// either imported whole or not at all. Every value is single-line text as
// internal/input defines it.
package roster

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/input"
)

// Columns a roster file may have; email is required.
var Columns = []string{"email", "name", "department", "location", "team"}

// MaxRows is the most rows one file may hold.
const MaxRows = 20000

// Row is one person in a roster file.
type Row struct {
	Line       int
	Email      string // lower case
	Name       string // may be empty: an existing person keeps theirs
	Department string
	Location   string
	Team       string
}

// RowError is a row that cannot be imported, and why.
type RowError struct {
	Line   int
	Reason string
}

// FileError says why a whole file cannot be read.
type FileError struct{ Reason string }

func (e *FileError) Error() string { return e.Reason }

// Kind is apperr.Invalid.
func (e *FileError) Kind() apperr.Kind { return apperr.Invalid }

// UserMessage is Reason.
func (e *FileError) UserMessage() string { return e.Reason }

// Parse reads a roster file: UTF-8 (a byte order mark is fine), comma- or
// semicolon-separated, with a header row naming its columns. It returns
// the rows that are fine and an error for each row that is not; if the
// file as a whole cannot be read it returns a *FileError.
func Parse(r io.Reader) ([]Row, []RowError, error) {
	data, err := io.ReadAll(io.LimitReader(r, 8<<20+1))
	if err != nil {
		return nil, nil, &FileError{"The file could not be read."}
	}
	if len(data) > 8<<20 {
		return nil, nil, &FileError{"The file is larger than 8 MB. Split it into smaller files."}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil, &FileError{"The file is empty."}
	}
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:invalidAt(data)], []byte("\n"))
		return nil, nil, &FileError{fmt.Sprintf("The file is not UTF-8 text (line %d has a character that is not). Save it as \"CSV UTF-8\" and try again.", line)}
	}
	header, _, _ := bytes.Cut(data, []byte("\n"))
	cr := csv.NewReader(bytes.NewReader(data))
	if bytes.Count(header, []byte(";")) > bytes.Count(header, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true

	head, err := cr.Read()
	if err != nil {
		return nil, nil, &FileError{"The first line must name the columns: " + strings.Join(Columns, ", ") + "."}
	}
	index := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(h))
		known := false
		for _, c := range Columns {
			known = known || c == h
		}
		if !known {
			return nil, nil, &FileError{fmt.Sprintf("Unknown column %q in the first line. Use: %s.", h, strings.Join(Columns, ", "))}
		}
		if _, dup := index[h]; dup {
			return nil, nil, &FileError{fmt.Sprintf("The column %q appears twice in the first line.", h)}
		}
		index[h] = i
	}
	if _, ok := index["email"]; !ok {
		return nil, nil, &FileError{"The first line has no email column; every row needs an email address."}
	}

	var (
		rows []Row
		bad  []RowError
		seen = map[string]int{}
	)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, nil, &FileError{fmt.Sprintf("Line %d is not valid CSV (%v). Check its quotes.", pe.StartLine, pe.Err)}
		}
		if err != nil {
			return nil, nil, &FileError{"The file could not be read as CSV."}
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rows)+len(bad) >= MaxRows {
			return nil, nil, &FileError{fmt.Sprintf("The file has more than %d rows. Split it into smaller files.", MaxRows)}
		}
		if len(rec) > len(head) {
			bad = append(bad, RowError{line, fmt.Sprintf("has %d values but the first line names %d columns", len(rec), len(head))})
			continue
		}
		get := func(col string) string {
			if i, ok := index[col]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		row := Row{Line: line, Email: strings.ToLower(get("email")), Name: get("name"),
			Department: get("department"), Location: get("location"), Team: get("team")}
		if reason := check(row); reason != "" {
			bad = append(bad, RowError{line, reason})
			continue
		}
		if first, dup := seen[row.Email]; dup {
			bad = append(bad, RowError{line, fmt.Sprintf("%s is already on line %d", row.Email, first)})
			continue
		}
		seen[row.Email] = line
		rows = append(rows, row)
	}
	if len(rows)+len(bad) == 0 {
		return nil, nil, &FileError{"The file has a header but no people."}
	}
	return rows, bad, nil
}

func check(r Row) string {
	values := []string{r.Email, r.Name, r.Department, r.Location, r.Team} // in the order of Columns
	for i, v := range values {
		if err := input.Check(v, input.Line); err != nil {
			return fmt.Sprintf("the %s %v", Columns[i], err)
		}
	}
	if r.Email == "" {
		return "has no email address"
	}
	a, err := mail.ParseAddress(r.Email)
	if err != nil || a.Address != r.Email || !strings.Contains(r.Email[strings.Index(r.Email, "@"):], ".") {
		return fmt.Sprintf("%q is not an email address", r.Email)
	}
	for col, v := range map[string]string{"name": r.Name, "department": r.Department, "location": r.Location, "team": r.Team} {
		if utf8.RuneCountInString(v) > 200 {
			return fmt.Sprintf("the %s is longer than 200 characters", col)
		}
	}
	return ""
}

// invalidAt returns the offset of the first byte that is not valid UTF-8.
func invalidAt(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}
