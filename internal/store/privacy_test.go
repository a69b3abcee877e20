package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/clocktest"
	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/privacy"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/internal/training"
)

// leaver is the person the erasure tests erase; every text here is unique
// so that a scan of the database finds any copy of it.
var leaver = account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "oidc:zq-7781-subject", Email: "Zebulon.Quist@example.com",
	Name: "Zebulon Quistwater", Department: "Xylophone Works", Roles: []account.Role{account.Comms}}

const (
	leaverIP       = "198.51.100.23"
	leaverMastodon = "zebulonquistwater.example"
)

// privacySetup is a store where the leaver has done everything a person
// can leave a trace with, beside a colleague who shared too.
type privacySetup struct {
	s          *store.Store
	db         *sql.DB          // a second handle on the same file, for raw scans
	now        func() time.Time // the store's clock
	admin      account.User
	user       account.User // the leaver
	other      account.User
	post       int64 // live, by comms; both shared it
	suggestion int64 // suggested by the leaver
	session    string
	links      []store.Link
}

func newPrivacySetup(t *testing.T) privacySetup {
	t.Helper()
	ctx := context.Background()
	clk := clocktest.New(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	s, db := mustOpenStoreAndDB(t, store.WithClock(clk.Now))
	ps := privacySetup{s: s, db: db, now: clk.Now, admin: mustSignIn(t, s, "oidc:admin", "admin@example.com", account.Admin)}
	comms := mustSignIn(t, s, "oidc:comms", "comms@example.com", account.Comms)
	approver := mustSignIn(t, s, "oidc:approver", "approver@example.com", account.Comms)
	ps.other = mustSignIn(t, s, "oidc:other", "other@example.com")
	var err error
	if ps.user, err = s.SignIn(ctx, leaver); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// As SCIM provisioning would have filled them in.
	if _, err := db.Exec(`UPDATE users SET external_id = 'ext-zq-7781', given_name = 'Zebulon', family_name = 'Quistwater' WHERE id = ?`,
		ps.user.ID); err != nil {
		t.Fatal(err)
	}
	must(s.SaveProfile(ctx, ps.user.ID, account.Profile{Followers: map[string]int{"linkedin": 1234, "x": 99},
		MastodonInstance: leaverMastodon, Language: "nl", TimeZone: "Europe/Amsterdam", Digest: account.DigestDaily}))
	must(s.SaveProfile(ctx, ps.other.ID, account.Profile{Followers: map[string]int{"linkedin": 500}, Language: "en", Digest: account.DigestWeekly}))
	mustGroup(t, s, "Sales", account.Team, ps.admin.ID, ps.user.ID, ps.other.ID)
	mustAssign(t, s, training.Assignment{Modules: []string{"disclosure"}, UserID: ps.user.ID, DueAt: clk.Now().Add(72 * time.Hour), DueDays: 7}, ps.admin.ID)
	must(s.Acknowledge(ctx, training.Acknowledgement{UserID: ps.user.ID, Version: "2026-1", ContentHash: "hash-1", ClientIP: leaverIP}))
	if _, _, err := s.StartAttempt(ctx, training.Attempt{UserID: ps.user.ID, ModuleID: "disclosure", ModuleHash: "mh", Language: "nl"}); err != nil {
		t.Fatal(err)
	}
	ps.session = "session-hash-of-the-leaver"
	must(s.CreateSession(ctx, ps.session, "", ps.user.ID, "csrf", clk.Now().Add(time.Hour)))
	greeting := "Hello " + leaver.Name + ",\n\nThis training is due soon."
	if _, err := s.QueueReminder(ctx, ps.user.ID, []training.ReminderItem{{ModuleID: "disclosure", Key: "due-soon"}},
		mail.Mail{To: leaver.Email, Subject: "Training due", Body: greeting, Kind: "reminder"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordDigest(ctx, ps.user.ID, "day:2026-11-19", clk.Now(),
		&mail.Mail{To: strings.ToLower(leaver.Email), Subject: "Digest", Body: greeting, Kind: "digest"}); err != nil {
		t.Fatal(err)
	}
	sent, err := s.ClaimMail(ctx, 1, time.Minute) // one of the two is sent
	must(err)
	if len(sent) != 1 {
		t.Fatalf("claimed %d mails, want 1", len(sent))
	}
	must(s.MarkMailSent(ctx, sent[0].ID))
	if _, err := s.EnqueueMail(ctx, mail.Mail{To: "other@example.com", Subject: "Digest", Body: "Hello there", Kind: "digest"}); err != nil {
		t.Fatal(err)
	}

	ps.post = mustCreatePost(t, s, comms.ID, "Spring Launch", "")
	mustApprovePost(t, s, ps.post, comms.ID, approver.ID)
	for i, u := range []account.User{ps.user, ps.user, ps.other} {
		network := []share.Network{share.LinkedIn, share.X, share.LinkedIn}[i]
		l, shareID, err := s.ShareLink(ctx, u.ID, ps.post, network, share.NewCode)
		must(err)
		if i == 0 {
			must(s.ConfirmShare(ctx, shareID, u.ID))
		}
		ps.links = append(ps.links, l)
	}
	must(s.RecordClicks(ctx, []reach.Hit{
		{LinkID: ps.links[0].ID, At: clk.Now(), Kind: reach.Click, Visitor: []byte("visitor-1")},
		{LinkID: ps.links[0].ID, At: clk.Now(), Kind: reach.Click, Visitor: []byte("visitor-1")},
		{LinkID: ps.links[0].ID, At: clk.Now(), Kind: reach.Click, Visitor: []byte("visitor-2")},
		{LinkID: ps.links[0].ID, At: clk.Now(), Kind: reach.Preview},
		{LinkID: ps.links[2].ID, At: clk.Now(), Kind: reach.Click, Visitor: []byte("visitor-3")},
	}))
	_, err = s.RollUpClicks(ctx, 0)
	must(err)
	f := post.Fields{Title: "A link worth sharing", URL: "https://example.com/worth", Category: post.IndustryInsight, Language: "en"}
	if ps.suggestion, err = createPost(ctx, s, f, ps.user.ID, true); err != nil {
		t.Fatal(err)
	}
	return ps
}

// programmeTotals are the figures an erasure must not change.
type programmeTotals struct {
	Shares, Links, Followers int
	Clicks                   reach.ClickCounts
	Raw                      reach.ClickCounts
	ByPost                   string
}

func totals(t *testing.T, ps privacySetup) programmeTotals {
	t.Helper()
	ctx := context.Background()
	var p programmeTotals
	if err := ps.db.QueryRow(`SELECT COUNT(*), COALESCE(SUM(followers), 0) FROM shares`).Scan(&p.Shares, &p.Followers); err != nil {
		t.Fatal(err)
	}
	if err := ps.db.QueryRow(`SELECT COUNT(*) FROM links`).Scan(&p.Links); err != nil {
		t.Fatal(err)
	}
	var err error
	if p.Clicks, err = ps.s.ClickTotals(ctx); err != nil {
		t.Fatal(err)
	}
	if p.Raw, err = ps.s.RawClickCounts(ctx); err != nil {
		t.Fatal(err)
	}
	p.ByPost = fmt.Sprint(reachByPost(t, ps.s, 0, ps.now()))
	return p
}

// textHits lists every table.column holding needle (ignoring case) in a
// text value, scanning every table of the database.
func textHits(t *testing.T, db *sql.DB, needle string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil || len(tables) == 0 {
		t.Fatalf("tables = %v, %v", tables, err)
	}
	var hits []string
	for _, table := range tables {
		cols, err := db.Query(`SELECT name FROM pragma_table_info(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		var columns []string
		for cols.Next() {
			var c string
			if err := cols.Scan(&c); err != nil {
				t.Fatal(err)
			}
			columns = append(columns, c)
		}
		if err := errors.Join(cols.Err(), cols.Close()); err != nil || len(columns) == 0 {
			t.Fatalf("columns of %s = %v, %v", table, columns, err)
		}
		for _, c := range columns {
			var n int
			q := fmt.Sprintf(`SELECT COUNT(*) FROM %q WHERE typeof(%q) = 'text' AND instr(lower(%q), lower(?)) > 0`, table, c, c)
			if err := db.QueryRow(q, needle).Scan(&n); err != nil {
				t.Fatalf("%s.%s: %v", table, c, err)
			}
			if n > 0 {
				hits = append(hits, fmt.Sprintf("%s.%s (%d rows)", table, c, n))
			}
		}
	}
	return hits
}

var leaverTraces = []string{leaver.Name, "Zebulon", "Quistwater", "ext-zq-7781", leaver.Email, leaver.Subject, leaver.Department, leaverIP, leaverMastodon}

func TestEraseUserLeavesNoPersonalData(t *testing.T) {
	ctx := context.Background()
	ps := newPrivacySetup(t)
	for _, needle := range leaverTraces {
		if hits := textHits(t, ps.db, needle); len(hits) == 0 {
			t.Fatalf("before erasure no table holds %q: the setup does not test its removal", needle)
		}
	}
	before := totals(t, ps)

	e, err := ps.s.EraseUser(ctx, ps.user.ID, "  zebulon.quist@EXAMPLE.com ", ps.admin.ID)
	if err != nil {
		t.Fatalf("EraseUser: %v", err)
	}
	for _, needle := range leaverTraces {
		if hits := textHits(t, ps.db, needle); len(hits) > 0 {
			t.Errorf("after erasure %q is still in %s", needle, strings.Join(hits, ", "))
		}
	}
	if after := totals(t, ps); after != before {
		t.Errorf("programme totals changed:\nbefore %+v\nafter  %+v", before, after)
	}
	want := privacy.Erasure{Sessions: 1, Networks: 2, Groups: 1, Roles: 2, Tasks: 1, Reminders: 1, Mail: 2, Digests: 1, Acknowledgements: 1}
	if e != want {
		t.Errorf("erasure counts = %+v, want %+v", e, want)
	}

	u, err := ps.s.User(ctx, ps.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != store.ErasedName(u.ID) || u.Email != store.ErasedEmail(u.ID) || u.Active || len(u.Roles) != 0 {
		t.Errorf("erased user = %+v", u)
	}
	if _, err := ps.s.SessionByHash(ctx, ps.session); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("session after erasure: %v, want ErrNotFound", err)
	}
	var acks, attempts, posts int
	if err := errors.Join(
		ps.db.QueryRow(`SELECT COUNT(*) FROM acknowledgements WHERE user_id = ? AND version = '2026-1' AND content_hash = 'hash-1' AND client_ip = ''`, u.ID).Scan(&acks),
		ps.db.QueryRow(`SELECT COUNT(*) FROM quiz_attempts WHERE user_id = ?`, u.ID).Scan(&attempts),
		ps.db.QueryRow(`SELECT COUNT(*) FROM posts WHERE author_id = ? AND suggested_by = ?`, u.ID, u.ID).Scan(&posts),
	); err != nil {
		t.Fatal(err)
	}
	if acks != 1 || attempts != 1 || posts != 1 {
		t.Errorf("kept %d acknowledgements (without IP), %d attempts, %d suggested posts; want 1 each", acks, attempts, posts)
	}
	var otherMail int
	if err := ps.db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE to_addr = 'other@example.com'`).Scan(&otherMail); err != nil {
		t.Fatal(err)
	}
	if otherMail != 1 {
		t.Errorf("mail to someone else: %d rows, want 1 kept", otherMail)
	}
	p, err := ps.s.Post(ctx, ps.suggestion)
	if err != nil {
		t.Fatal(err)
	}
	if p.SuggestedBy != store.ErasedName(u.ID) {
		t.Errorf("suggested post shows %q, want the erased name", p.SuggestedBy)
	}

	entry := lastAudit(t, ps.s)
	if entry.Action != "user.erase" || entry.Target != fmt.Sprintf("user:%d", u.ID) || entry.ActorID != ps.admin.ID || entry.Before != "" {
		t.Errorf("audit entry = %+v", entry)
	}
}

func TestEraseUserRefusesWrongConfirmation(t *testing.T) {
	ctx := context.Background()
	ps := newPrivacySetup(t)
	entries := auditCount(t, ps.s)
	for _, typed := range []string{"", "other@example.com", "zebulon.quist@example", store.ErasedEmail(ps.user.ID)} {
		if _, err := ps.s.EraseUser(ctx, ps.user.ID, typed, ps.admin.ID); !errors.Is(err, privacy.ErrNotConfirmed) {
			t.Errorf("EraseUser confirmed with %q: %v, want ErrNotConfirmed", typed, err)
		}
	}
	if _, err := ps.s.EraseUser(ctx, 9999, "x@example.com", ps.admin.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("EraseUser of an unknown user: %v, want ErrNotFound", err)
	}
	for _, needle := range leaverTraces {
		if hits := textHits(t, ps.db, needle); len(hits) == 0 {
			t.Errorf("a refused erasure removed %q", needle)
		}
	}
	if n := auditCount(t, ps.s); n != entries {
		t.Errorf("refused erasures wrote %d audit entries", n-entries)
	}
}

func TestPersonalDataForExport(t *testing.T) {
	ctx := context.Background()
	ps := newPrivacySetup(t)
	d, err := ps.s.PersonalData(ctx, ps.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.User.Email != leaver.Email || d.User.Name != leaver.Name || d.Subject != leaver.Subject || d.Issuer != leaver.Issuer || d.User.Department != leaver.Department ||
		d.ExternalID != "ext-zq-7781" || d.GivenName != "Zebulon" || d.FamilyName != "Quistwater" {
		t.Errorf("user = %+v, subject %q, SCIM %q %q %q", d.User, d.Subject, d.ExternalID, d.GivenName, d.FamilyName)
	}
	if d.Profile.Followers["linkedin"] != 1234 || d.Profile.Followers["x"] != 99 || d.Profile.MastodonInstance != leaverMastodon ||
		d.Profile.Digest != account.DigestDaily || d.Profile.TimeZone != "Europe/Amsterdam" || d.Profile.Language != "nl" {
		t.Errorf("profile = %+v", d.Profile)
	}
	if got := fmt.Sprint(d.Roles); got != "[{employee idp} {comms idp}]" {
		t.Errorf("roles = %s", got)
	}
	if len(d.Groups) != 1 || d.Groups[0].Name != "Sales" || d.Groups[0].Source != account.SourceManual {
		t.Errorf("groups = %+v", d.Groups)
	}
	if len(d.Acknowledgements) != 1 || d.Acknowledgements[0].ClientIP != leaverIP || d.Acknowledgements[0].ContentHash != "hash-1" {
		t.Errorf("acknowledgements = %+v", d.Acknowledgements)
	}
	if len(d.Attempts) != 1 || d.Attempts[0].ModuleID != "disclosure" || d.Attempts[0].Language != "nl" || !d.Attempts[0].SubmittedAt.IsZero() {
		t.Errorf("attempts = %+v", d.Attempts)
	}
	if len(d.Shares) != 2 || d.Shares[1].Network != share.LinkedIn || d.Shares[1].Followers != 1234 ||
		d.Shares[1].ConfirmedAt.IsZero() || d.Shares[1].PostTitle != "Spring Launch" || d.Shares[0].Followers != 99 {
		t.Errorf("shares = %+v", d.Shares)
	}
	if len(d.Links) != 2 || d.Links[0].Code != ps.links[0].Code || d.Links[0].Clicks != 3 || d.Links[0].Visitors != 2 ||
		d.Links[0].Shares != 1 || d.Links[1].Clicks != 0 {
		t.Errorf("links = %+v", d.Links)
	}
	if _, err := ps.s.PersonalData(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PersonalData of an unknown user: %v, want ErrNotFound", err)
	}
}
