package roster

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/input"
)

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"email,name,department,location,team\nann@example.com,Ann,Sales,Amsterdam,North\n",
		"\xef\xbb\xbfemail;name\r\nBOB@Example.com;Bob\r\n",
		"email\nnot-an-email\n\n,\n",
		"name,email\n\"Smith, Ann\",ann@example.com\n\"broken,ann@x.com\n",
		"email,email\na@b.c,a@b.c\n",
		"department\nSales\n",
		"email,name\na@example.com,\xff\xfe\n",
		"email,name\na@example.com,\"A\x00\nB\"\n",
		"", "\n\n", ";", "email,extra\na@example.com,x,y\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, rowErrs, err := Parse(bytes.NewReader(data))
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.Reason == "" {
				t.Fatalf("error %v (%T) is not a *FileError with a reason", err, err)
			}
			if rows != nil || rowErrs != nil {
				t.Fatal("rows returned beside a file error")
			}
			return
		}
		if len(rows)+len(rowErrs) > MaxRows {
			t.Fatalf("%d rows, more than MaxRows", len(rows)+len(rowErrs))
		}
		for _, r := range rows {
			if r.Line < 2 {
				t.Errorf("row on line %d, before the header's end", r.Line)
			}
			if r.Email == "" || r.Email != strings.ToLower(r.Email) {
				t.Errorf("email %q is empty or not lower case", r.Email)
			}
			for _, v := range []string{r.Email, r.Name, r.Department, r.Location, r.Team} {
				if err := input.Check(v, input.Line); err != nil {
					t.Errorf("row on line %d has %q, which %v", r.Line, v, err)
				}
			}
		}
		for _, e := range rowErrs {
			if e.Line < 1 || e.Reason == "" {
				t.Errorf("row error %+v has no line or reason", e)
			}
		}
	})
}
