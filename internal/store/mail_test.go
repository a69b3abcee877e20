package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/concern"
	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/pause"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/internal/training"
)

// mailWoken reports whether the store woke the mail worker since the last
// call, and clears the wake-up.
func mailWoken(s *store.Store) bool {
	select {
	case <-s.MailQueued().C():
		return true
	default:
		return false
	}
}

// TestEveryMailCommitWakesTheWorker: whichever method queues mail, the
// mail worker is woken once the mail is committed, so that no mail waits
// for the worker's next pass; a change that queues none leaves it asleep.
func TestEveryMailCommitWakesTheWorker(t *testing.T) {
	tests := []struct {
		name     string
		act      func(t *testing.T, s *store.Store, comms account.User) error
		wantWake bool
	}{
		{"QueueReminder", func(t *testing.T, s *store.Store, comms account.User) error {
			_, err := s.QueueReminder(context.Background(), comms.ID, []training.ReminderItem{{ModuleID: "timing", Key: "assigned"}},
				mail.Mail{To: comms.Email, Subject: "x", Kind: "assigned"})
			return err
		}, true},
		{"RecordDigest with a mail", func(t *testing.T, s *store.Store, comms account.User) error {
			_, err := s.RecordDigest(context.Background(), comms.ID, "day:2026-11-05", time.Now(),
				&mail.Mail{To: comms.Email, Subject: "x", Kind: "digest"})
			return err
		}, true},
		{"RecordDigest without a mail", func(t *testing.T, s *store.Store, comms account.User) error {
			_, err := s.RecordDigest(context.Background(), comms.ID, "day:2026-11-05", time.Now(), nil)
			return err
		}, false},
		{"CreateConcern, urgent", func(t *testing.T, s *store.Store, comms account.User) error {
			_, err := s.CreateConcern(context.Background(), concern.Concern{ReporterID: comms.ID, Kind: "other", Description: "d", Urgent: true}, nil,
				func(id int64, _ []account.User) []mail.Mail {
					return []mail.Mail{{To: comms.Email, Subject: "x", Kind: "concern", DedupeKey: fmt.Sprint("concern:", id)}}
				})
			return err
		}, true},
		{"CreateConcern, not urgent", func(t *testing.T, s *store.Store, comms account.User) error {
			_, err := s.CreateConcern(context.Background(), concern.Concern{ReporterID: comms.ID, Kind: "other", Description: "d"}, nil, nil)
			return err
		}, false},
		{"StartPause", func(t *testing.T, s *store.Store, comms account.User) error {
			_, err := startPause(context.Background(), s, pause.Programme, "Incident", comms.ID)
			return err
		}, true},
		{"ResumePause", func(t *testing.T, s *store.Store, comms account.User) error {
			p, err := startPause(context.Background(), s, pause.Programme, "Incident", comms.ID)
			if err != nil {
				return err
			}
			mailWoken(s)
			_, err = resumePause(context.Background(), s, p.ID, comms.ID)
			return err
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustOpenStore(t)
			comms := mustSignIn(t, s, "c", "c@example.com", account.Comms)
			mailWoken(s)
			if err := tt.act(t, s, comms); err != nil {
				t.Fatal(err)
			}
			if got := mailWoken(s); got != tt.wantWake {
				t.Errorf("mail worker woken: %v, want %v", got, tt.wantWake)
			}
		})
	}
}

func TestOutboxKeepsTheWholeLetter(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	want := mail.Mail{To: "noor@example.com", ToName: "Noor de Vries", Subject: "Nieuw om te delen: 1 post", Body: "Hallo Noor,\n",
		HTML: "<p>Hallo Noor,</p>", Lang: "nl", Unsubscribe: "https://portal.example.com/unsubscribe/1.x", Kind: "digest"}
	mustEnqueue(t, s, want)
	claimed, err := s.ClaimMail(ctx, 10, time.Minute)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("ClaimMail = %d mails, %v; want 1", len(claimed), err)
	}
	got := claimed[0]
	if got.To != want.To || got.ToName != want.ToName || got.Subject != want.Subject || got.Body != want.Body ||
		got.HTML != want.HTML || got.Lang != want.Lang || got.Unsubscribe != want.Unsubscribe || got.Kind != want.Kind {
		t.Errorf("claimed %+v, want %+v", got, want)
	}
	// Once sent, the HTML (the text laid out, several times its size) goes;
	// the text stays for the outbox page.
	if err := s.MarkMailSent(ctx, got.ID); err != nil {
		t.Fatal(err)
	}
	sent, err := s.Outbox(ctx, 0)
	if err != nil || len(sent) != 1 {
		t.Fatalf("Outbox = %d mails, %v; want 1", len(sent), err)
	}
	if sent[0].HTML != "" || sent[0].Body != want.Body || sent[0].ToName != want.ToName || sent[0].SentAt.IsZero() {
		t.Errorf("after sending: HTML %q, body %q, name %q, sent %v; want no HTML, the rest kept",
			sent[0].HTML, sent[0].Body, sent[0].ToName, sent[0].SentAt)
	}
}

func TestDigestUnsubscribeToken(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	noor := mustSignIn(t, s, "n", "noor@example.com")
	sam := mustSignIn(t, s, "s", "sam@example.com")
	token, err := s.DigestUnsubscribeToken(ctx, noor.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := s.DigestUnsubscribeToken(ctx, noor.ID); err != nil || again != token {
		t.Errorf("second token = %q, %v; want the same %q, so that every digest's link works", again, err, token)
	}
	samToken, err := s.DigestUnsubscribeToken(ctx, sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, mac, ok := strings.Cut(token, ".")
	_, samMAC, samOK := strings.Cut(samToken, ".")
	if !ok || !samOK {
		t.Fatalf("tokens %q and %q are not id.mac", token, samToken)
	}
	other := mustOpenStore(t) // another portal: another secret
	mustSignIn(t, other, "n", "noor@example.com")
	otherToken, err := other.DigestUnsubscribeToken(ctx, noor.ID)
	if err != nil {
		t.Fatal(err)
	}
	bad := []struct{ name, token string }{
		{"empty", ""},
		{"no mac", fmt.Sprint(noor.ID)},
		{"someone else's id with Noor's mac", fmt.Sprintf("%d.%s", sam.ID, mac)},
		{"Noor's id with Sam's mac", fmt.Sprintf("%d.%s", noor.ID, samMAC)},
		{"a leading zero", fmt.Sprintf("0%d.%s", noor.ID, mac)},
		{"a cut mac", token[:len(token)-2]},
		{"padding", token + "="},
		{"another portal's", otherToken},
		{"a person who is not there", "999.AAAA"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.DigestUnsubscriber(ctx, tt.token); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("DigestUnsubscriber = %v, want ErrNotFound", err)
			}
			if _, err := s.UnsubscribeDigest(ctx, tt.token); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("UnsubscribeDigest = %v, want ErrNotFound", err)
			}
		})
	}
	for _, u := range []account.User{noor, sam} {
		if p, err := s.Profile(ctx, u.ID); err != nil || p.Digest != account.DigestWeekly {
			t.Fatalf("%s's digest = %q, %v; want weekly still, after the bad tokens", u.Email, p.Digest, err)
		}
	}
	if u, err := s.DigestUnsubscriber(ctx, token); err != nil || u.ID != noor.ID {
		t.Errorf("DigestUnsubscriber = %d, %v; want Noor", u.ID, err)
	}
	for range 2 { // turning it off again changes nothing
		if u, err := s.UnsubscribeDigest(ctx, token); err != nil || u.ID != noor.ID {
			t.Fatalf("UnsubscribeDigest = %d, %v; want Noor", u.ID, err)
		}
	}
	for _, tt := range []struct {
		u    account.User
		want account.Digest
	}{{noor, account.DigestOff}, {sam, account.DigestWeekly}} {
		if p, err := s.Profile(ctx, tt.u.ID); err != nil || p.Digest != tt.want {
			t.Errorf("%s's digest = %q, %v; want %q", tt.u.Email, p.Digest, err, tt.want)
		}
	}
}
