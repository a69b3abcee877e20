package reminder_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/clocktest"
	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/reminder"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/internal/training"
)

const day = 24 * time.Hour

// mustOpenStore opens a store on a new SQLite database in a temporary
// directory and closes it when the test ends.
func mustOpenStore(tb testing.TB, opts ...store.Option) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "portal.db"), opts...)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// moduleFile returns a module with one question, titled title.
func moduleFile(id, title string, settings bool) string {
	quiz := "quiz:\n"
	if settings {
		quiz += "  pass_mark: 100\n"
	}
	return "---\nid: " + id + "\ntitle: " + title + "\nminutes: 2\n" + quiz +
		"  questions:\n    - id: q1\n      text: Q?\n      options:\n" +
		"        - id: a\n          text: A\n          correct: true\n          explanation: Yes.\n" +
		"        - id: b\n          text: B\n          explanation: No.\n" +
		"---\nBody.\n"
}

// mustGuidelines loads guidelines in English and Dutch with two modules.
func mustGuidelines(tb testing.TB) *training.Guidelines {
	tb.Helper()
	conduct := "---\ntitle: %s\nversion: \"1\"\neffective: 2026-11-01\n---\nBody.\n"
	g, err := training.Load(fstest.MapFS{
		"programme.yaml":           {Data: []byte("languages: [en, nl]\nrequired: [disclosure, timing]\n")},
		"conduct/en.md":            {Data: []byte(strings.Replace(conduct, "%s", "Code of conduct", 1))},
		"conduct/nl.md":            {Data: []byte(strings.Replace(conduct, "%s", "Gedragscode", 1))},
		"modules/disclosure/en.md": {Data: []byte(moduleFile("disclosure", "Say who you work for", true))},
		"modules/disclosure/nl.md": {Data: []byte(moduleFile("disclosure", "Zeg voor wie je werkt", false))},
		"modules/timing/en.md":     {Data: []byte(moduleFile("timing", "Timing and context", true))},
		"modules/timing/nl.md":     {Data: []byte(moduleFile("timing", "Timing en context", false))},
	})
	if err != nil {
		tb.Fatalf("load guidelines: %v", err)
	}
	return g
}

// setup is a store with an HR person who assigned both modules to Sam
// (English) and Noor (Dutch), due 14 days after start.
type setup struct {
	store     *store.Store
	clock     *clocktest.Clock
	job       *reminder.Job
	sam, noor account.User
	start     time.Time
	due       time.Time
}

func newSetup(t *testing.T) setup {
	t.Helper()
	ctx := context.Background()
	c := clocktest.New(time.Date(2026, 11, 5, 9, 0, 0, 0, time.UTC))
	s := mustOpenStore(t, store.WithClock(c.Now))
	signIn := func(subject, email, name string) account.User {
		u, err := s.SignIn(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: subject, Email: email, Name: name})
		if err != nil {
			t.Fatalf("SignIn %s: %v", email, err)
		}
		return u
	}
	hr := signIn("oidc:hr", "hr@example.com", "Hanna")
	sam := signIn("oidc:1", "sam@example.com", "Sam")
	noor := signIn("oidc:2", "noor@example.com", "Noor")
	if err := s.SetLanguage(ctx, noor.ID, "nl"); err != nil {
		t.Fatalf("SetLanguage: %v", err)
	}
	g, err := s.CreateGroup(ctx, "Sales", account.Department, hr.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []account.User{sam, noor} {
		if err := s.AddToGroup(ctx, g, u.ID, account.SourceManual, hr.ID); err != nil {
			t.Fatal(err)
		}
	}
	start := c.Now()
	due := start.Add(14 * day)
	if _, err := s.CreateAssignment(ctx, training.Assignment{Modules: []string{"disclosure", "timing"}, GroupID: g,
		DueAt: due, DueDays: 14}, hr.ID); err != nil {
		t.Fatalf("CreateAssignment: %v", err)
	}
	job := &reminder.Job{Store: s, Guidelines: mustGuidelines(t), BaseURL: "https://portal.example.com",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: c.Now}
	woken(s) // setting up queued nothing, but take no chances
	return setup{store: s, clock: c, job: job, sam: sam, noor: noor, start: start, due: due}
}

// woken reports whether the store woke the mail worker since the last call.
func woken(s *store.Store) bool {
	select {
	case <-s.MailQueued().C():
		return true
	default:
		return false
	}
}

// newMail returns the outbox messages with an id above after, oldest first.
func newMail(t *testing.T, s *store.Store, after int64) []mail.Mail {
	t.Helper()
	all, err := s.Outbox(context.Background(), 1000)
	if err != nil {
		t.Fatalf("Outbox: %v", err)
	}
	var out []mail.Mail
	for _, m := range all {
		if m.ID > after {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b mail.Mail) int { return int(a.ID - b.ID) })
	return out
}

// wantMail is what one person's mail must be: its kind, subject, and
// phrases its body must and must not contain.
type wantMail struct {
	kind        string
	subject     string
	contains    []string
	notContains []string
}

func TestRunOnce(t *testing.T) {
	ctx := context.Background()
	st := newSetup(t)
	samMail := func(kind, subject string, contains ...string) wantMail {
		return wantMail{kind: kind, subject: subject, contains: append([]string{"Hello Sam", "https://portal.example.com/training"}, contains...)}
	}
	noorMail := func(kind, subject string, contains ...string) wantMail {
		return wantMail{kind: kind, subject: subject, contains: append([]string{"Hallo Noor", "https://portal.example.com/training"}, contains...),
			notContains: []string{"Say who you work for", "Hello"}}
	}
	steps := []struct {
		name   string
		at     time.Time
		before func(t *testing.T)
		want   map[string]wantMail // by recipient
	}{
		{
			name: "assigned",
			at:   st.start,
			want: map[string]wantMail{
				"sam@example.com":  samMail("assigned", "New training for you", "Say who you work for", "Timing and context", "19 November 2026"),
				"noor@example.com": noorMail("assigned", "Nieuwe training voor jou", "Zeg voor wie je werkt", "Timing en context"),
			},
		},
		{name: "assigned mail not sent twice", at: st.start.Add(time.Hour), want: nil},
		{name: "before the 7-day mark", at: st.due.Add(-7*day - time.Minute), want: nil},
		{
			name: "7 days before",
			at:   st.due.Add(-7 * day),
			want: map[string]wantMail{
				"sam@example.com":  samMail("due-soon", "Reminder: your training is due soon", "Say who you work for", "Timing and context"),
				"noor@example.com": noorMail("due-soon", "Herinnering: je training moet bijna af zijn", "Zeg voor wie je werkt"),
			},
		},
		{name: "7-day reminder not sent twice", at: st.due.Add(-3 * day), want: nil},
		{
			name: "1 day before",
			at:   st.due.Add(-12 * time.Hour),
			want: map[string]wantMail{
				"sam@example.com":  samMail("due-soon", "Reminder: your training is due soon", "Say who you work for"),
				"noor@example.com": noorMail("due-soon", "Herinnering: je training moet bijna af zijn", "Zeg voor wie je werkt"),
			},
		},
		{name: "1-day reminder not sent twice", at: st.due.Add(-time.Hour), want: nil},
		{
			name: "overdue, after Sam passed one module",
			at:   st.due.Add(time.Hour),
			before: func(t *testing.T) {
				id, _, err := st.store.StartAttempt(ctx, training.Attempt{UserID: st.sam.ID, ModuleID: "disclosure",
					Questions: []training.Question{{ID: "q1", Options: []training.Option{{ID: "a", Correct: true}, {ID: "b"}}}}})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := st.store.SaveAnswer(ctx, id, "q1", "a", func(a training.Attempt) (training.Result, error) {
					return training.Score(a.Questions, 100, a.Answers)
				}); err != nil {
					t.Fatal(err)
				}
			},
			want: map[string]wantMail{
				"sam@example.com": {kind: "overdue", subject: "Your training is overdue",
					contains: []string{"Hello Sam", "Timing and context"}, notContains: []string{"Say who you work for"}},
				"noor@example.com": noorMail("overdue", "Je training is te laat", "Zeg voor wie je werkt", "Timing en context"),
			},
		},
		{name: "overdue once a day", at: st.due.Add(10 * time.Hour), want: nil},
		{
			name: "overdue the next day",
			at:   st.due.Add(day + time.Hour),
			want: map[string]wantMail{
				"sam@example.com":  {kind: "overdue", subject: "Your training is overdue", contains: []string{"Timing and context"}},
				"noor@example.com": noorMail("overdue", "Je training is te laat"),
			},
		},
	}
	recipients := map[string]struct{ name, lang string }{"sam@example.com": {"Sam", "en"}, "noor@example.com": {"Noor", "nl"}}
	var lastID int64
	for _, step := range steps {
		runStep(t, step.name, func(t *testing.T) {
			if step.before != nil {
				step.before(t)
			}
			st.clock.Set(step.at)
			n, err := st.job.RunOnce(ctx)
			if err != nil {
				t.Fatalf("RunOnce: %v", err)
			}
			mails := newMail(t, st.store, lastID)
			if len(mails) > 0 {
				lastID = mails[len(mails)-1].ID
			}
			if n != len(step.want) || len(mails) != len(step.want) {
				t.Errorf("RunOnce queued %d (outbox has %d new: %v), want %d", n, len(mails), mails, len(step.want))
			}
			if got, want := woken(st.store), len(step.want) > 0; got != want {
				t.Errorf("mail worker woken: %v, want %v", got, want)
			}
			for _, m := range mails {
				w, ok := step.want[m.To]
				if !ok {
					t.Errorf("unexpected mail to %s: %q", m.To, m.Subject)
					continue
				}
				if m.Kind != w.kind || m.Subject != w.subject {
					t.Errorf("mail to %s = kind %q, subject %q; want %q, %q", m.To, m.Kind, m.Subject, w.kind, w.subject)
				}
				if r := recipients[m.To]; m.ToName != r.name || m.Lang != r.lang {
					t.Errorf("mail to %s: name %q, language %q; want %q, %q", m.To, m.ToName, m.Lang, r.name, r.lang)
				}
				if !strings.Contains(m.HTML, `<a href="https://portal.example.com/training"`) || !strings.Contains(m.HTML, `lang="`+m.Lang+`"`) {
					t.Errorf("mail to %s: HTML lacks the link to the training or its language:\n%s", m.To, m.HTML)
				}
				for _, c := range w.contains {
					if !strings.Contains(m.Body, c) {
						t.Errorf("mail to %s does not contain %q:\n%s", m.To, c, m.Body)
					}
				}
				for _, c := range w.notContains {
					if strings.Contains(m.Body, c) {
						t.Errorf("mail to %s contains %q:\n%s", m.To, c, m.Body)
					}
				}
			}
		})
	}
}

func TestRunOnceJobDownPastTheDayMark(t *testing.T) {
	// The job did not run between assignment and the last day: one mail
	// per person with the assignment and the 1-day reminder, never the
	// stale 7-day one, and nothing more on the next run.
	ctx := context.Background()
	st := newSetup(t)
	st.clock.Set(st.due.Add(-2 * time.Hour))
	n, err := st.job.RunOnce(ctx)
	if err != nil || n != 2 {
		t.Fatalf("RunOnce = %d, %v; want 2 mails", n, err)
	}
	for _, m := range newMail(t, st.store, 0) {
		if m.Kind != "due-soon" {
			t.Errorf("mail to %s kind %q, want due-soon (the most pressing)", m.To, m.Kind)
		}
	}
	st.clock.Set(st.due.Add(-time.Hour))
	if n, err := st.job.RunOnce(ctx); err != nil || n != 0 {
		t.Errorf("second RunOnce = %d, %v; want 0 (the 7-day reminder is never owed after the 1-day mark)", n, err)
	}
}

func TestRunOnceSkipsRemovedModules(t *testing.T) {
	ctx := context.Background()
	st := newSetup(t)
	// Guidelines without the assigned modules: nothing to remind about.
	conduct := "---\ntitle: C\nversion: \"1\"\neffective: 2026-11-01\n---\nBody.\n"
	g, err := training.Load(fstest.MapFS{
		"programme.yaml":      {Data: []byte("languages: [en]\nrequired: [other]\n")},
		"conduct/en.md":       {Data: []byte(conduct)},
		"modules/other/en.md": {Data: []byte(moduleFile("other", "Other", true))},
	})
	if err != nil {
		t.Fatal(err)
	}
	st.job.Guidelines = g
	if n, err := st.job.RunOnce(ctx); err != nil || n != 0 || woken(st.store) {
		t.Errorf("RunOnce with the modules removed = %d, %v; want 0, nil and the mail worker left asleep", n, err)
	}
}

func TestDutchReminderDatesAreDutch(t *testing.T) {
	// A Dutch mail must not name the due date's month in English.
	ctx := context.Background()
	st := newSetup(t)
	march := time.Date(2027, 3, 10, 17, 0, 0, 0, time.UTC)
	for _, module := range []string{"disclosure", "timing"} {
		if err := st.store.ExtendDue(ctx, st.noor.ID, module, march, st.sam.ID); err != nil {
			t.Fatalf("ExtendDue: %v", err)
		}
	}
	if _, err := st.job.RunOnce(ctx); err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	for _, m := range newMail(t, st.store, 0) {
		if m.To != "noor@example.com" {
			continue
		}
		if strings.Contains(m.Body, "March") || !strings.Contains(m.Body, "10 maart 2027") {
			t.Errorf("Dutch mail gives the due date as %q, want \"10 maart 2027\":\n%s",
				march.Format("2 January 2006"), m.Body)
		}
		return
	}
	t.Errorf("no mail to Noor")
}

// runStep runs f, the next step of a sequence, on t itself rather than as a
// subtest: each step works on what the steps before it left, so no step
// may be run alone with -run. The step's name is logged first, so that a
// failure says which step it came from.
func runStep(t *testing.T, name string, f func(t *testing.T)) {
	t.Helper()
	t.Logf("step: %s", name)
	f(t)
}
