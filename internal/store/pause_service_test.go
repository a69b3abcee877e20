package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/pause"
	"github.com/advocacy-portal/portal/internal/store"
)

// The store's pause tests start and end pauses as the portal does: through
// the pause service over the store (pause.Repository). The helpers take the
// arguments the store's own methods took before the service decided for
// them.

// startPause pauses sc for reason on behalf of actorID.
func startPause(ctx context.Context, s *store.Store, sc pause.Scope, reason string, actorID int64) (pause.Pause, error) {
	return pause.NewService(s, pause.Config{}).Pause(ctx, pause.Request{Scope: string(sc), Reason: reason, ActorID: actorID})
}

// resumePause ends pause id on behalf of actorID.
func resumePause(ctx context.Context, s *store.Store, id, actorID int64) (pause.Pause, error) {
	return pause.NewService(s, pause.Config{}).Resume(ctx, id, actorID)
}

// TestPauseMailsAreWrittenForEachReader: each comms user and admin gets the
// pause notice in their own language, by name, with the campaign's name
// and a link to the pause page.
func TestPauseMailsAreWrittenForEachReader(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	svc := pause.NewService(s, pause.Config{BaseURL: "https://portal.example.com"})
	mei := mustSignInNamed(t, s, "Mei Tan", "mei@example.com", account.Comms)
	noor := mustSignInNamed(t, s, "Noor de Vries", "noor@example.com", account.Admin)
	mustSignInNamed(t, s, "Sam", "sam@example.com") // an employee: no mail
	if err := s.SetLanguage(ctx, noor.ID, "nl"); err != nil {
		t.Fatal(err)
	}
	p, err := svc.Pause(ctx, pause.Request{Scope: string(pause.Campaign(mustCampaign(t, s, mei.ID, "Spring launch"))),
		Reason: "A customer's <complaint>", ActorID: mei.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Resume(ctx, p.ID, noor.ID); err != nil {
		t.Fatal(err)
	}
	mails, err := s.Outbox(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{ // by recipient: subjects, newest first
		"mei@example.com":  {"Sharing resumed: campaign “Spring launch”", "Sharing paused: campaign “Spring launch”"},
		"noor@example.com": {"Delen hervat: campagne “Spring launch”", "Delen gepauzeerd: campagne “Spring launch”"},
	}
	got := map[string][]string{}
	for _, m := range mails {
		got[m.To] = append(got[m.To], m.Subject)
		wantName, wantLang, wantGreeting := "Mei Tan", "en", "Hello Mei Tan,"
		if m.To == noor.Email {
			wantName, wantLang, wantGreeting = "Noor de Vries", "nl", "Hallo Noor de Vries,"
		}
		if m.Kind != "pause" || m.ToName != wantName || m.Lang != wantLang || !strings.HasPrefix(m.Body, wantGreeting) {
			t.Errorf("mail to %s: kind %q, name %q, language %q, body %q", m.To, m.Kind, m.ToName, m.Lang, m.Body)
		}
		if !strings.Contains(m.Body, "https://portal.example.com/pause\n") || !strings.Contains(m.HTML, `href="https://portal.example.com/pause"`) {
			t.Errorf("mail to %s does not link to the pause page:\n%s", m.To, m.Body)
		}
		if !strings.Contains(m.HTML, "A customer&#39;s &lt;complaint&gt;") {
			t.Errorf("mail to %s: HTML does not show the reason escaped:\n%s", m.To, m.HTML)
		}
	}
	for to, subjects := range want {
		if strings.Join(got[to], " | ") != strings.Join(subjects, " | ") {
			t.Errorf("%s got %q, want %q", to, got[to], subjects)
		}
	}
	if len(got) != len(want) {
		t.Errorf("mail went to %d people, want %d", len(got), len(want))
	}
}

// TestStartPauseRefusedWritesNothing: the campaign a pause names is looked
// up in the transaction that would record the pause; refused, for it or for
// its reason, nothing is written: no pause, no audit entry, no mail.
func TestStartPauseRefusedWritesNothing(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name, scope, reason string
		wantFields          []string
	}{
		{"no such campaign", "campaign:999", "Incident", []string{"scope"}},
		{"no such campaign, no reason", "campaign:999", "", []string{"reason", "scope"}},
		{"a known scope, no reason", "programme", " ", []string{"reason"}},
		{"a category that does not exist", "category:gossip", "Incident", []string{"scope"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, db := mustOpenStoreAndDB(t)
			comms := mustSignIn(t, s, "c", "c@example.com", account.Comms)
			_, err := pause.NewService(s, pause.Config{}).Pause(ctx, pause.Request{Scope: tt.scope, Reason: tt.reason, ActorID: comms.ID})
			var fe pause.FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("Pause = %v, want pause.FieldErrors", err)
			}
			var fields []string
			for f := range fe {
				fields = append(fields, f)
			}
			if slices.Sort(fields); !slices.Equal(fields, tt.wantFields) {
				t.Errorf("refused fields %v, want %v", fields, tt.wantFields)
			}
			for _, table := range []string{"pauses", "audit_log", "outbox"} {
				if n := countRows(t, db, table); n != 0 {
					t.Errorf("%d rows in %s, want none", n, table)
				}
			}
		})
	}
}

// TestPauseNoticeGoesToActiveCommsAndAdmins: the notice lists each active
// holder of the roles told once, whatever else they hold; not an employee,
// HR, or someone no longer active.
func TestPauseNoticeGoesToActiveCommsAndAdmins(t *testing.T) {
	ctx := context.Background()
	s, db := mustOpenStoreAndDB(t)
	comms := mustSignIn(t, s, "c", "c@example.com", account.Comms)
	both := mustSignIn(t, s, "b", "b@example.com", account.Comms, account.Admin)
	mustSignIn(t, s, "h", "h@example.com", account.HR)
	mustSignIn(t, s, "e", "e@example.com")
	gone := mustSignIn(t, s, "g", "g@example.com", account.Admin)
	if _, err := db.ExecContext(ctx, `UPDATE users SET active = 0 WHERE id = ?`, gone.ID); err != nil {
		t.Fatal(err)
	}
	var told []account.User
	_, err := s.StartPause(ctx, pause.Start{Scope: pause.Programme, Reason: "Incident", ActorID: comms.ID, Tell: pause.Told}, nil,
		func(n pause.Notice) []mail.Mail {
			told = n.To
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, u := range told {
		got = append(got, u.ID)
		want, err := s.User(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != want.Email || u.Name != want.Name || u.Language != want.Language || !slices.Equal(u.Roles, want.Roles) {
			t.Errorf("told %+v, want them as User reads them: %+v", u, want)
		}
	}
	if want := []int64{comms.ID, both.ID}; !slices.Equal(got, want) {
		t.Errorf("told %v, want %v (the active comms and admins, once each)", got, want)
	}
}
