package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/cadence"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
)

func TestShareCadence(t *testing.T) {
	ctx := context.Background()
	env := newTestEnv(t)
	withPauseRoutes(t, env)
	env.unlockSharing(t, "employee")
	p := env.livePost(t, "Worth sharing")
	sharePath := fmt.Sprintf("/posts/%d/share", p.ID)
	shareOn := func(network string, extra url.Values) *http.Response {
		form := url.Values{"network": {network}, "text": {"My own words"}, "offered": {"Look at this"}}
		for k, v := range extra {
			form[k] = v
		}
		return env.do(t, "employee", http.MethodPost, sharePath, form)
	}
	sharesToday := func(n share.Network) int {
		t.Helper()
		c, err := env.store.SharesToday(ctx, env.users["employee"].ID, n, cadence.DayStart(env.clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	runStep(t, "admins set the cadence", func(t *testing.T) {
		wantStatus(t, env.do(t, "admin", http.MethodPost, "/admin/cadence", url.Values{"limit": {"zero"}}), http.StatusUnprocessableEntity)
		wantRedirect(t, env.do(t, "admin", http.MethodPost, "/admin/cadence", url.Values{"limit": {"2"}}), "/admin/cadence?saved=1")
		doc := mustDoc(t, env.do(t, "admin", http.MethodGet, "/admin/cadence?saved=1", nil))
		if v := attr(t, doc.Find(`[data-testid="cadence-limit"]`), "value"); v != "2" || !has(doc, "saved") {
			t.Errorf("limit shown = %q", v)
		}
		if r, err := env.store.ShareCadence(ctx); err != nil || r != (cadence.Rule{Limit: 2}) {
			t.Errorf("rule = %+v, %v", r, err)
		}
	})

	runStep(t, "under the limit shares go straight through", func(t *testing.T) {
		wantStatus(t, shareOn("linkedin", nil), http.StatusSeeOther)
		wantStatus(t, shareOn("linkedin", nil), http.StatusSeeOther)
		if got := sharesToday(share.LinkedIn); got != 2 {
			t.Errorf("shares today = %d, want 2", got)
		}
		doc := mustDoc(t, env.do(t, "employee", http.MethodGet, "/feed", nil))
		if !strings.Contains(doc.Find(`[data-testid="cadence-linkedin"]`).Text(), "2 times") {
			t.Errorf("feed cadence note = %q", doc.Find(`[data-testid="cadence-note"]`).Text())
		}
	})

	runStep(t, "past the limit the employee is asked first", func(t *testing.T) {
		resp := shareOn("linkedin", nil)
		wantStatus(t, resp, http.StatusOK)
		doc := mustDoc(t, resp)
		if !has(doc, "cadence-ask") || !has(doc, "share-anyway") {
			t.Fatal("no interstitial")
		}
		if v := attr(t, doc.Find(`input[name="text"]`), "value"); v != "My own words" {
			t.Errorf("interstitial carries text %q", v)
		}
		if sharesToday(share.LinkedIn) != 2 {
			t.Error("a share was recorded before confirming")
		}
		wantStatus(t, shareOn("linkedin", url.Values{"confirm": {"1"}}), http.StatusSeeOther)
		if sharesToday(share.LinkedIn) != 3 {
			t.Error("share anyway was not recorded")
		}
		wantStatus(t, shareOn("x", nil), http.StatusSeeOther) // another network has its own count
	})

	runStep(t, "a hard cap refuses", func(t *testing.T) {
		if err := env.store.SetSetting(ctx, store.SettingShareCadence, cadence.Rule{Limit: 2, Hard: true}, env.users["admin"].ID); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, shareOn("linkedin", url.Values{"confirm": {"1"}}), http.StatusConflict)
	})

	runStep(t, "a new day starts afresh", func(t *testing.T) {
		env.advance(t, 24*time.Hour)
		wantStatus(t, shareOn("linkedin", nil), http.StatusSeeOther)
	})
}
