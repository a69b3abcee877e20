package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/store"
)

func mustEnqueue(tb testing.TB, s *store.Store, m mail.Mail) {
	tb.Helper()
	queued, err := s.EnqueueMail(context.Background(), m)
	if err != nil {
		tb.Fatalf("EnqueueMail %q: %v", m.Subject, err)
	}
	if !queued {
		tb.Fatalf("EnqueueMail %q: not queued", m.Subject)
	}
}

func subjects(mails []mail.Mail) []string {
	var out []string
	for _, m := range mails {
		out = append(out, m.Subject)
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestEnqueueMailDedupe(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))

	tests := []struct {
		name       string
		mail       mail.Mail
		wantQueued bool
	}{
		{"first with key", mail.Mail{To: "a@example.com", Subject: "one", Kind: "reminder", DedupeKey: "reminder:1:a"}, true},
		{"same key again", mail.Mail{To: "a@example.com", Subject: "two", Kind: "reminder", DedupeKey: "reminder:1:a"}, false},
		{"other key", mail.Mail{To: "a@example.com", Subject: "three", Kind: "reminder", DedupeKey: "reminder:2:a"}, true},
		{"no key", mail.Mail{To: "b@example.com", Subject: "four", Kind: "assignment"}, true},
		{"no key again", mail.Mail{To: "b@example.com", Subject: "four", Kind: "assignment"}, true},
	}
	for _, tt := range tests {
		runStep(t, tt.name, func(t *testing.T) {
			queued, err := s.EnqueueMail(ctx, tt.mail)
			if err != nil {
				t.Fatalf("EnqueueMail: %v", err)
			}
			if queued != tt.wantQueued {
				t.Errorf("queued = %v, want %v", queued, tt.wantQueued)
			}
		})
	}

	mails, err := s.Outbox(ctx, 0)
	if err != nil {
		t.Fatalf("Outbox: %v", err)
	}
	if len(mails) != 4 {
		t.Fatalf("outbox has %d mails (%q), want 4", len(mails), subjects(mails))
	}
	for _, m := range mails {
		if m.Subject == "two" {
			t.Errorf("duplicate key replaced the first mail")
		}
		if !m.CreatedAt.Equal(c.Now()) || !m.SendAfter.Equal(c.Now()) {
			t.Errorf("%q: created %v, send after %v, want both %v", m.Subject, m.CreatedAt, m.SendAfter, c.Now())
		}
		if !m.SentAt.IsZero() || m.Attempts != 0 || m.LastError != "" {
			t.Errorf("%q: new mail has sent %v, attempts %d, error %q", m.Subject, m.SentAt, m.Attempts, m.LastError)
		}
	}

	if _, err := s.EnqueueMail(ctx, mail.Mail{Subject: "no recipient", Kind: "reminder"}); err == nil {
		t.Errorf("EnqueueMail without recipient: no error")
	}
}

func TestClaimMail(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	start := c.Now()

	mustEnqueue(t, s, mail.Mail{To: "a@example.com", Subject: "later", Kind: "reminder", SendAfter: start.Add(time.Hour)})
	mustEnqueue(t, s, mail.Mail{To: "a@example.com", Subject: "first", Kind: "reminder"})
	c.Advance(time.Second)
	mustEnqueue(t, s, mail.Mail{To: "a@example.com", Subject: "second", Kind: "reminder"})
	c.Advance(time.Second)
	mustEnqueue(t, s, mail.Mail{To: "a@example.com", Subject: "third", Kind: "reminder"})

	got, err := s.ClaimMail(ctx, 2, 10*time.Minute)
	if err != nil {
		t.Fatalf("ClaimMail: %v", err)
	}
	if want := []string{"first", "second"}; !equalStrings(subjects(got), want) {
		t.Fatalf("first claim = %q, want %q", subjects(got), want)
	}
	for _, m := range got {
		if want := c.Now().Add(10 * time.Minute); !m.SendAfter.Equal(want) {
			t.Errorf("%q: claimed send after %v, want lease end %v", m.Subject, m.SendAfter, want)
		}
		if m.To != "a@example.com" || m.Kind != "reminder" || m.ID == 0 {
			t.Errorf("claimed mail incomplete: %+v", m)
		}
	}

	got, err = s.ClaimMail(ctx, 10, 10*time.Minute)
	if err != nil {
		t.Fatalf("ClaimMail: %v", err)
	}
	if want := []string{"third"}; !equalStrings(subjects(got), want) {
		t.Fatalf("second claim = %q, want %q (the leased ones and the later one stay out)", subjects(got), want)
	}

	got, err = s.ClaimMail(ctx, 10, 10*time.Minute)
	if err != nil {
		t.Fatalf("ClaimMail: %v", err)
	}
	if len(got) != 0 {
		t.Fatalf("claim right after = %q, want nothing", subjects(got))
	}

	c.Advance(10 * time.Minute)
	got, err = s.ClaimMail(ctx, 10, 10*time.Minute)
	if err != nil {
		t.Fatalf("ClaimMail: %v", err)
	}
	if want := []string{"first", "second", "third"}; !equalStrings(subjects(got), want) {
		t.Fatalf("claim after the lease = %q, want %q", subjects(got), want)
	}

	c.Advance(time.Hour)
	got, err = s.ClaimMail(ctx, 10, 10*time.Minute)
	if err != nil {
		t.Fatalf("ClaimMail: %v", err)
	}
	// Longest waiting first: the three leases ended 20 minutes in, "later" at an hour.
	if want := []string{"first", "second", "third", "later"}; !equalStrings(subjects(got), want) {
		t.Fatalf("claim an hour later = %q, want %q", subjects(got), want)
	}
}

func TestMarkMail(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	mustEnqueue(t, s, mail.Mail{To: "a@example.com", Subject: "hello", Body: "body", Kind: "assignment"})

	claimed, err := s.ClaimMail(ctx, 1, time.Minute)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("ClaimMail = %d mails, %v; want 1", len(claimed), err)
	}
	id := claimed[0].ID

	retry := c.Now().Add(5 * time.Minute)
	if err := s.MarkMailFailed(ctx, id, "451 try later", retry); err != nil {
		t.Fatalf("MarkMailFailed: %v", err)
	}
	if err := s.MarkMailFailed(ctx, id, "451 still later", retry); err != nil {
		t.Fatalf("MarkMailFailed: %v", err)
	}
	m := mustOutboxMail(t, s, id)
	if m.Attempts != 2 || m.LastError != "451 still later" || !m.SendAfter.Equal(retry) || !m.SentAt.IsZero() {
		t.Fatalf("after two failures: attempts %d, error %q, send after %v, sent %v; want 2, %q, %v, zero",
			m.Attempts, m.LastError, m.SendAfter, m.SentAt, "451 still later", retry)
	}
	if got, err := s.ClaimMail(ctx, 1, time.Minute); err != nil || len(got) != 0 {
		t.Fatalf("failed mail claimed before its retry time (error: %v)", err)
	}

	c.Advance(5 * time.Minute)
	if got, err := s.ClaimMail(ctx, 1, time.Minute); err != nil || len(got) != 1 {
		t.Fatalf("failed mail not claimed at its retry time (error: %v)", err)
	}
	sentAt := c.Now()
	if err := s.MarkMailSent(ctx, id); err != nil {
		t.Fatalf("MarkMailSent: %v", err)
	}
	c.Advance(time.Minute)
	if err := s.MarkMailSent(ctx, id); err != nil {
		t.Fatalf("MarkMailSent again: %v", err)
	}
	m = mustOutboxMail(t, s, id)
	if !m.SentAt.Equal(sentAt) || m.Attempts != 2 {
		t.Fatalf("after sending: sent %v, attempts %d; want %v, 2", m.SentAt, m.Attempts, sentAt)
	}
	c.Advance(time.Hour)
	if got, err := s.ClaimMail(ctx, 1, time.Minute); err != nil || len(got) != 0 {
		t.Fatalf("sent mail claimed again (error: %v)", err)
	}

	tests := []struct {
		name string
		err  error
	}{
		{"sent unknown", s.MarkMailSent(ctx, 999)},
		{"failed unknown", s.MarkMailFailed(ctx, 999, "x", c.Now())},
		{"failed after sent", s.MarkMailFailed(ctx, id, "x", c.Now())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.err, store.ErrNotFound) {
				t.Errorf("err = %v, want ErrNotFound", tt.err)
			}
		})
	}
}

func mustOutboxMail(tb testing.TB, s *store.Store, id int64) mail.Mail {
	tb.Helper()
	mails, err := s.Outbox(context.Background(), 1000)
	if err != nil {
		tb.Fatalf("Outbox: %v", err)
	}
	for _, m := range mails {
		if m.ID == id {
			return m
		}
	}
	tb.Fatalf("mail %d not in the outbox", id)
	return mail.Mail{}
}

func TestOutboxOrderAndCounts(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))

	pending, sent, failing, err := s.OutboxCounts(ctx)
	if err != nil || pending != 0 || sent != 0 || failing != 0 {
		t.Fatalf("empty OutboxCounts = %d, %d, %d, %v; want zeros", pending, sent, failing, err)
	}

	for _, subject := range []string{"m1", "m2", "m3", "m4"} {
		mustEnqueue(t, s, mail.Mail{To: "a@example.com", Subject: subject, Kind: "overdue", DedupeKey: "k-" + subject})
		c.Advance(time.Second)
	}
	mails, err := s.Outbox(ctx, 0)
	if err != nil {
		t.Fatalf("Outbox: %v", err)
	}
	if want := []string{"m4", "m3", "m2", "m1"}; !equalStrings(subjects(mails), want) {
		t.Fatalf("Outbox = %q, want newest first %q", subjects(mails), want)
	}
	if mails[0].DedupeKey != "k-m4" {
		t.Errorf("DedupeKey = %q, want k-m4", mails[0].DedupeKey)
	}
	if limited, err := s.Outbox(ctx, 2); err != nil || !equalStrings(subjects(limited), []string{"m4", "m3"}) {
		t.Errorf("Outbox(2) = %q, want [m4 m3] (error: %v)", subjects(limited), err)
	}

	byID := map[string]int64{}
	for _, m := range mails {
		byID[m.Subject] = m.ID
	}
	if err := s.MarkMailSent(ctx, byID["m1"]); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkMailFailed(ctx, byID["m2"], "refused", c.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	pending, sent, failing, err = s.OutboxCounts(ctx)
	if err != nil {
		t.Fatalf("OutboxCounts: %v", err)
	}
	if pending != 3 || sent != 1 || failing != 1 {
		t.Fatalf("OutboxCounts = pending %d, sent %d, failing %d; want 3, 1, 1", pending, sent, failing)
	}
}
