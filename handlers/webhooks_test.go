package handlers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/pause"
	"github.com/advocacy-portal/portal/internal/post"
)

// recordedMessage is one call of fakeWebhooks.Message.
type recordedMessage struct{ Key, Title, Text, Link string }

// fakeWebhooks records the messages handlers send; with fail set, it
// records them and then returns an error.
type fakeWebhooks struct {
	mu   sync.Mutex
	got  []recordedMessage
	fail bool
}

func (f *fakeWebhooks) Message(_ context.Context, key, title, text, link string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, recordedMessage{key, title, text, link})
	if f.fail {
		return errors.New("webhook store unavailable")
	}
	return nil
}

func (f *fakeWebhooks) messages() []recordedMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recordedMessage(nil), f.got...)
}

// withWebhooks rebuilds env's app with hooks as its Webhooks dependency.
func withWebhooks(env *testEnv, hooks *fakeWebhooks) {
	env.app = New(Deps{Store: env.store, Guidelines: env.g, RoleMap: auth.RoleMap{}, GroupsClaim: "groups",
		BaseURL: testBaseURL, Policy: post.DefaultPolicy, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: env.clock.Now, Webhooks: hooks})
}

func TestPauseAndResumeAnnounceToWebhooks(t *testing.T) {
	for _, fail := range []bool{false, true} {
		t.Run(fmt.Sprintf("webhook failing %v", fail), func(t *testing.T) {
			env := newTestEnv(t)
			hooks := &fakeWebhooks{fail: fail}
			withWebhooks(env, hooks)

			resp := env.do(t, "comms", http.MethodPost, "/pause",
				url.Values{"scope": {string(pause.Programme)}, "reason": {"Breaking news; hold everything"}})
			wantStatus(t, resp, http.StatusSeeOther)
			active, err := env.store.ActivePauses(context.Background())
			if err != nil || len(active) != 1 {
				t.Fatalf("active pauses %v, %v; want one", active, err)
			}
			id := active[0].ID
			got := hooks.messages()
			if len(got) != 1 {
				t.Fatalf("after pausing: %d messages, want 1", len(got))
			}
			m := got[0]
			if m.Key != fmt.Sprintf("pause:%d:start", id) || m.Title != "Programme paused" || m.Link != testBaseURL+"/pause" ||
				!strings.Contains(m.Text, "Breaking news; hold everything") || !strings.Contains(m.Text, string(pause.Programme)) {
				t.Errorf("pause message %+v", m)
			}

			resp = env.do(t, "comms", http.MethodPost, fmt.Sprintf("/pause/%d/resume", id), nil)
			wantStatus(t, resp, http.StatusSeeOther)
			got = hooks.messages()
			if len(got) != 2 {
				t.Fatalf("after resuming: %d messages, want 2", len(got))
			}
			m = got[1]
			if m.Key != fmt.Sprintf("pause:%d:resume", id) || m.Title != "Programme resumed" || m.Link != testBaseURL+"/pause" ||
				!strings.Contains(m.Text, "Breaking news; hold everything") {
				t.Errorf("resume message %+v", m)
			}

			// A refused resume announces nothing.
			resp = env.do(t, "comms", http.MethodPost, fmt.Sprintf("/pause/%d/resume", id), nil)
			wantStatus(t, resp, http.StatusNotFound)
			if n := len(hooks.messages()); n != 2 {
				t.Errorf("after a refused resume: %d messages, want still 2", n)
			}
		})
	}
}

func TestUrgentConcernAnnouncesToWebhooksWithoutDetails(t *testing.T) {
	env := newTestEnv(t)
	hooks := &fakeWebhooks{}
	withWebhooks(env, hooks)

	env.reportConcern(t, "employee", concernForm(false), nil)
	if n := len(hooks.messages()); n != 0 {
		t.Fatalf("a report that is not urgent sent %d webhook messages, want none", n)
	}
	form := concernForm(true)
	id := env.reportConcern(t, "employee", form, nil)
	got := hooks.messages()
	if len(got) != 1 {
		t.Fatalf("urgent report: %d messages, want 1", len(got))
	}
	m := got[0]
	if m.Key != fmt.Sprintf("concern:%d", id) || m.Title != "Urgent concern reported" ||
		m.Link != fmt.Sprintf("%s/concerns/%d", testBaseURL, id) || !strings.Contains(m.Text, form.Get("kind")) {
		t.Errorf("concern message %+v", m)
	}
	all := m.Title + m.Text + m.Link
	for _, secret := range []string{form.Get("description"), env.users["employee"].Name, env.users["employee"].Email, form.Get("link")} {
		if strings.Contains(all, secret) {
			t.Errorf("webhook message %+v reveals %q", m, secret)
		}
	}
}
