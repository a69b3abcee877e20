package roster_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/roster"
)

// parse runs roster.Parse, turning a panic into a test failure so that
// one bad case does not stop the others.
func parse(t *testing.T, input string) (rows []roster.Row, bad []roster.RowError, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("Parse(%q) panicked: %v", input, r)
			err = errors.New("panic")
		}
	}()
	return roster.Parse(strings.NewReader(input))
}

func TestParseGoodFiles(t *testing.T) {
	sam := roster.Row{Line: 2, Email: "sam@example.com", Name: "Sam Smit", Department: "Sales", Location: "Berlin", Team: "Blue"}
	noor := roster.Row{Line: 3, Email: "noor@example.com", Name: "Noor", Department: "Support"}
	tests := []struct {
		name  string
		input string
		want  []roster.Row
	}{
		{
			name:  "comma separated",
			input: "email,name,department,location,team\nsam@example.com,Sam Smit,Sales,Berlin,Blue\nnoor@example.com,Noor,Support\n",
			want:  []roster.Row{sam, noor},
		},
		{
			name:  "semicolon separated, as Excel writes it in much of Europe",
			input: "email;name;department;location;team\nsam@example.com;Sam Smit;Sales;Berlin;Blue\nnoor@example.com;Noor;Support;;\n",
			want:  []roster.Row{sam, noor},
		},
		{
			name:  "byte order mark",
			input: "\xef\xbb\xbfemail,name,department,location,team\nsam@example.com,Sam Smit,Sales,Berlin,Blue\n",
			want:  []roster.Row{sam},
		},
		{
			name:  "CRLF line ends and spaces around values",
			input: "email, name, department, location, team\r\n sam@example.com , Sam Smit ,Sales, Berlin ,Blue\r\n",
			want:  []roster.Row{sam},
		},
		{
			name:  "blank lines skipped, lines counted",
			input: "email,name,department\n\nsam@example.com,Sam Smit,Sales\n   \nnoor@example.com,Noor,Support\n\n",
			want: []roster.Row{{Line: 3, Email: "sam@example.com", Name: "Sam Smit", Department: "Sales"},
				{Line: 5, Email: "noor@example.com", Name: "Noor", Department: "Support"}},
		},
		{
			name:  "header in any case and order",
			input: "Team,EMAIL,Name\nBlue,Sam@Example.COM,Sam Smit\n",
			want:  []roster.Row{{Line: 2, Email: "sam@example.com", Name: "Sam Smit", Team: "Blue"}},
		},
		{
			name:  "email only",
			input: "email\nsam@example.com\n",
			want:  []roster.Row{{Line: 2, Email: "sam@example.com"}},
		},
		{
			name:  "quoted values with the separator",
			input: "email,name,department\nsam@example.com,\"Smit, Sam\",\"Sales; North\"\nnoor@example.com,Noor,\n",
			want: []roster.Row{{Line: 2, Email: "sam@example.com", Name: "Smit, Sam", Department: "Sales; North"},
				{Line: 3, Email: "noor@example.com", Name: "Noor"}},
		},
		{
			name:  "white space around a value, tabs and line breaks included, is trimmed",
			input: "email,name,department\nsam@example.com,\"Sam Smit\t\",\"\nSales\n\"\n",
			want:  []roster.Row{{Line: 2, Email: "sam@example.com", Name: "Sam Smit", Department: "Sales"}},
		},
		{
			name:  "non-ASCII names",
			input: "email,name\njose@example.com,José Müller-Ødegård\n",
			want:  []roster.Row{{Line: 2, Email: "jose@example.com", Name: "José Müller-Ødegård"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, bad, err := parse(t, tt.input)
			if err != nil {
				t.Fatalf("Parse error: %v", err)
			}
			if len(bad) != 0 {
				t.Errorf("bad rows %+v, want none", bad)
			}
			if !reflect.DeepEqual(rows, tt.want) {
				t.Errorf("rows =\n%+v\nwant\n%+v", rows, tt.want)
			}
		})
	}
}

func TestParseBadRows(t *testing.T) {
	long := strings.Repeat("é", 201)
	tests := []struct {
		name      string
		input     string
		wantEmail []string // emails of the good rows
		wantBad   []roster.RowError
	}{
		{
			name:      "missing email",
			input:     "email,name\nsam@example.com,Sam\n,No Email\n",
			wantEmail: []string{"sam@example.com"},
			wantBad:   []roster.RowError{{Line: 3, Reason: "has no email address"}},
		},
		{
			name:      "invalid emails",
			input:     "email,name\nnot-an-email,A\nsam@localhost,B\nSam Smit <sam@example.com>,C\na@b@example.com,D\nok@example.com,E\n",
			wantEmail: []string{"ok@example.com"},
			wantBad: []roster.RowError{
				{Line: 2, Reason: `"not-an-email" is not an email address`},
				{Line: 3, Reason: `"sam@localhost" is not an email address`},
				{Line: 4, Reason: `"sam smit <sam@example.com>" is not an email address`},
				{Line: 5, Reason: `"a@b@example.com" is not an email address`},
			},
		},
		{
			name:      "duplicate email, in another case",
			input:     "email,name\nsam@example.com,Sam\nnoor@example.com,Noor\nSAM@example.com,Sam again\n",
			wantEmail: []string{"sam@example.com", "noor@example.com"},
			wantBad:   []roster.RowError{{Line: 4, Reason: "sam@example.com is already on line 2"}},
		},
		{
			name:      "too many values",
			input:     "email,name\nsam@example.com,Sam,Sales\nnoor@example.com,Noor\n",
			wantEmail: []string{"noor@example.com"},
			wantBad:   []roster.RowError{{Line: 2, Reason: "has 3 values but the first line names 2 columns"}},
		},
		{
			name:      "over-long name",
			input:     "email,name\nsam@example.com," + long + "\nnoor@example.com," + long[:200*2] + "\n",
			wantEmail: []string{"noor@example.com"}, // 200 characters is fine
			wantBad:   []roster.RowError{{Line: 2, Reason: "the name is longer than 200 characters"}},
		},
		{
			name:      "over-long team",
			input:     "email,team\nsam@example.com," + strings.Repeat("x", 201) + "\n",
			wantEmail: nil,
			wantBad:   []roster.RowError{{Line: 2, Reason: "the team is longer than 200 characters"}},
		},
		{
			name: "text no field may hold",
			input: "email,name,department,location,team\n" +
				"nul@example.com,Sam\x00Smit,Sales,,\n" +
				"break@example.com,Sam,\"Sales\nNorth\",,\n" +
				"tab@example.com,Sam,Sales,Ber\tlin,\n" +
				"esc@example.com,Sam,Sales,,\x1b[31mBlue\n" +
				"bad\x00@example.com,Sam,,,\n" +
				"ok@example.com,Noor,Support,,\n",
			wantEmail: []string{"ok@example.com"},
			wantBad: []roster.RowError{
				{Line: 2, Reason: "the name contains a control character (U+0000), which this field cannot hold; remove it and send again"},
				{Line: 3, Reason: "the department contains a line break (U+000A), which this field cannot hold; remove it and send again"},
				{Line: 5, Reason: "the location contains a tab (U+0009), which this field cannot hold; remove it and send again"},
				{Line: 6, Reason: "the team contains a control character (U+001B), which this field cannot hold; remove it and send again"},
				{Line: 7, Reason: "the email contains a control character (U+0000), which this field cannot hold; remove it and send again"},
			},
		},
		{
			name:      "every bad row reported, by its own line",
			input:     "email,name\n\n,A\nbad,B\n\nsam@example.com,C\nsam@example.com,D\n",
			wantEmail: []string{"sam@example.com"},
			wantBad: []roster.RowError{
				{Line: 3, Reason: "has no email address"},
				{Line: 4, Reason: `"bad" is not an email address`},
				{Line: 7, Reason: "sam@example.com is already on line 6"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, bad, err := parse(t, tt.input)
			if err != nil {
				t.Fatalf("Parse error: %v, want row errors", err)
			}
			var emails []string
			for _, r := range rows {
				emails = append(emails, r.Email)
			}
			if !reflect.DeepEqual(emails, tt.wantEmail) {
				t.Errorf("good rows %v, want %v", emails, tt.wantEmail)
			}
			if !reflect.DeepEqual(bad, tt.wantBad) {
				t.Errorf("bad rows =\n%+v\nwant\n%+v", bad, tt.wantBad)
			}
		})
	}
}

func TestParseFileErrors(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string // parts of the reason
	}{
		{"empty", "", []string{"empty"}},
		{"only white space", " \n\n", []string{"empty"}},
		{"only a byte order mark", "\xef\xbb\xbf", []string{"empty"}},
		{"header only", "email,name\n", []string{"no people"}},
		{"header and blank lines", "email,name\n\n\n", []string{"no people"}},
		{"unknown column", "email,name,phone\nsam@example.com,Sam,123\n", []string{`Unknown column "phone"`, "email, name, department, location, team"}},
		{"duplicate column", "email,Name,name\nsam@example.com,Sam,Sam\n", []string{`"name" appears twice`}},
		{"no email column", "name,department\nSam,Sales\n", []string{"no email column"}},
		{"ISO-8859-1, not UTF-8", "email,name\nsam@example.com,Sam\njose@example.com,Jos\xe9\n", []string{"UTF-8", "line 3"}},
		{"invalid UTF-8 in the header", "email,n\xe4me\n", []string{"UTF-8", "line 1"}},
		{"unbalanced quote in a later field", "email,name\nsam@example.com,\"Sam\nnoor@example.com,Noor\n", []string{"Line 2", "quotes"}},
		{"unbalanced quote in the first field", "email,name\n\"sam@example.com,Sam\n", []string{"Line 2", "quotes"}},
		{"bare quote", "email,name\nsam@example.com,Sam \"the man\" Smit\n", []string{"Line 2", "quotes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, bad, err := parse(t, tt.input)
			var fe *roster.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Parse = %d rows, %v, error %v (%T); want a *roster.FileError", len(rows), bad, err, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(fe.Reason, w) {
					t.Errorf("reason %q does not contain %q", fe.Reason, w)
				}
			}
			if rows != nil || bad != nil {
				t.Errorf("Parse returned rows %v and bad rows %v with a file error, want none", rows, bad)
			}
		})
	}
}

func TestParseRowLimit(t *testing.T) {
	file := func(n int) string {
		var b strings.Builder
		b.WriteString("email,name\n")
		for i := range n {
			fmt.Fprintf(&b, "person%d@example.com,Person %d\n", i, i)
		}
		return b.String()
	}
	tests := []struct {
		name     string
		rows     int
		wantErr  bool
		wantRows int
	}{
		{"exactly the limit", roster.MaxRows, false, roster.MaxRows},
		{"one over the limit", roster.MaxRows + 1, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, _, err := parse(t, file(tt.rows))
			var fe *roster.FileError
			if tt.wantErr {
				if !errors.As(err, &fe) || !strings.Contains(fe.Reason, fmt.Sprint(roster.MaxRows)) {
					t.Errorf("Parse error = %v, want a file error naming the limit %d", err, roster.MaxRows)
				}
				return
			}
			if err != nil || len(rows) != tt.wantRows {
				t.Errorf("Parse = %d rows, %v; want %d, nil", len(rows), err, tt.wantRows)
			}
		})
	}
}

func TestParseFileTooLarge(t *testing.T) {
	big := "email,name\n" + strings.Repeat("sam@example.com,"+strings.Repeat("x", 100)+"\n", 90000)
	_, _, err := parse(t, big)
	var fe *roster.FileError
	if !errors.As(err, &fe) || !strings.Contains(fe.Reason, "8 MB") {
		t.Errorf("Parse of %d bytes error = %v, want a file error about 8 MB", len(big), err)
	}
}

func TestFileErrorMessage(t *testing.T) {
	err := error(&roster.FileError{Reason: "The file is empty."})
	if err.Error() != "The file is empty." {
		t.Errorf("Error() = %q, want the reason", err.Error())
	}
}
