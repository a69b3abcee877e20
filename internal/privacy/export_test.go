package privacy_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/privacy"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/training"
)

var at = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

func personalData() privacy.PersonalData {
	return privacy.PersonalData{
		User:             account.User{ID: 7, Name: "Sanne de Vries", Email: "sanne@example.com", Department: "Sales", Active: true, CreatedAt: at},
		Issuer:           "https://idp.example",
		Subject:          "abc",
		Profile:          account.Profile{Followers: map[string]int{"x": 10, "linkedin": 500}, Digest: account.DigestDaily},
		Roles:            []privacy.PersonalRole{{Role: account.Employee, Source: "idp"}, {Role: account.HR, Source: account.SourceManual}},
		Acknowledgements: []training.Acknowledgement{{Version: "2026-1", ContentHash: "h", ClientIP: "192.0.2.7", CreatedAt: at}},
		Attempts:         []privacy.PersonalAttempt{{ModuleID: "disclosure", Correct: 3, Total: 4, Passed: true, StartedAt: at, SubmittedAt: at}},
		Shares:           []share.HistoryItem{{PostID: 3, PostTitle: "=HYPERLINK(\"x\")", Network: share.LinkedIn, Code: "abc", Followers: 500, At: at}},
		Links:            []reach.LinkTotals{{Code: "abc", PostID: 3, PostTitle: "=HYPERLINK(\"x\")", Network: share.LinkedIn, Shares: 1, Clicks: 9, Visitors: 4}},
	}
}

func TestExportJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := privacy.New(personalData(), at).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	profile := doc["profile"].(map[string]any)
	if profile["email"] != "sanne@example.com" || profile["identity_provider_subject"] != "abc" || profile["identity_provider_issuer"] != "https://idp.example" || profile["last_sign_in_at"] != nil {
		t.Errorf("profile = %v", profile)
	}
	roles := profile["roles"].([]any)
	if len(roles) != 2 || roles[1].(map[string]any)["source"] != "granted in the portal" {
		t.Errorf("roles = %v", roles)
	}
	attempt := doc["training"].(map[string]any)["attempts"].([]any)[0].(map[string]any)
	if attempt["score_percent"] != 75.0 || attempt["submitted_at"] != "2026-11-20T09:30:00Z" {
		t.Errorf("attempt = %v", attempt)
	}
	if doc["shares"].([]any)[0].(map[string]any)["confirmed"] != false {
		t.Errorf("shares = %v", doc["shares"])
	}
}

func TestExportEmptySectionsAreListsNotNull(t *testing.T) {
	var buf bytes.Buffer
	if err := privacy.New(privacy.PersonalData{User: account.User{ID: 1}}, at).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte("null")) {
		t.Errorf("empty export has null: %s", buf.String())
	}
}

func TestExportCSVSections(t *testing.T) {
	e := privacy.New(personalData(), at)
	for _, section := range privacy.Sections {
		var buf bytes.Buffer
		if err := e.WriteCSV(&buf, section); err != nil {
			t.Fatalf("%s: %v", section, err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Errorf("%s: %d rows, %v", section, len(rows), err)
		}
	}
	readSection := func(section string) [][]string {
		t.Helper()
		var buf bytes.Buffer
		if err := e.WriteCSV(&buf, section); err != nil {
			t.Fatalf("%s: %v", section, err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", section, err)
		}
		return rows
	}
	if rows := readSection("shares"); len(rows) < 2 || len(rows[1]) < 2 || rows[1][1] != `'=HYPERLINK("x")` {
		t.Errorf("a formula in a title is not defused: %q", rows)
	}
	profile := map[string][]string{}
	for _, r := range readSection("profile") {
		if len(r) == 2 {
			profile[r[0]] = append(profile[r[0]], r[1])
		}
	}
	for key, want := range map[string]string{"identity_provider_issuer": "https://idp.example", "identity_provider_subject": "abc",
		"followers:linkedin": "500", "followers:x": "10", "role": "employee (identity provider)"} {
		if got := profile[key]; len(got) == 0 || got[0] != want {
			t.Errorf("profile %s = %q, want %q first", key, got, want)
		}
	}
	var buf bytes.Buffer
	if err := e.WriteCSV(&buf, "secrets"); !errors.Is(err, privacy.ErrUnknownSection) {
		t.Errorf("unknown section: %v", err)
	}
}
