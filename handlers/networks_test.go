package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
)

// networksForm is the content settings form with the given networks ticked.
func networksForm(networks ...share.Network) url.Values {
	form := url.Values{"blocked_terms": {""}, "blocked_severity": {"block"},
		"disclosure": {""}, "disclosure_severity": {"block"}, "watch_hashtags": {""}, "watch_severity": {"warn"},
		"length_severity": {"block"}, "four_eyes": {"1"}, "networks_shown": {"1"}}
	for _, n := range networks {
		form.Add("networks", string(n))
	}
	return form
}

func TestNetworksEnabled(t *testing.T) {
	ctx := context.Background()
	env := newTestEnv(t)
	env.unlockSharing(t, "employee")
	p := env.livePost(t, "Worth sharing")
	sharePath := fmt.Sprintf("/posts/%d/share", p.ID)
	reach := func() any {
		t.Helper()
		return env.reachByPost(t, 0)
	}
	allBut := func(off share.Network) []share.Network {
		var out []share.Network
		for _, n := range share.Networks {
			if n != off {
				out = append(out, n)
			}
		}
		return out
	}

	runStep(t, "all networks are offered by default", func(t *testing.T) {
		doc := mustDoc(t, env.do(t, "employee", http.MethodGet, "/feed", nil))
		for _, n := range share.Networks {
			if !has(doc, "share-"+string(n)) {
				t.Errorf("feed has no share-%s button", n)
			}
		}
		doc = mustDoc(t, env.do(t, "admin", http.MethodGet, "/admin/content", nil))
		for _, n := range share.Networks {
			if _, checked := doc.Find(`[data-testid="network-` + string(n) + `"]`).Attr("checked"); !checked {
				t.Errorf("network %s not ticked on the settings page", n)
			}
		}
	})

	runStep(t, "a disabled network is neither shown nor accepted", func(t *testing.T) {
		wantRedirect(t, env.do(t, "admin", http.MethodPost, "/admin/content", networksForm(allBut(share.X)...)), "/admin/content?saved=1")
		doc := mustDoc(t, env.do(t, "admin", http.MethodGet, "/admin/content?saved=1", nil))
		if _, checked := doc.Find(`[data-testid="network-x"]`).Attr("checked"); checked {
			t.Error("X still ticked after disabling it")
		}
		doc = mustDoc(t, env.do(t, "employee", http.MethodGet, "/feed", nil))
		if has(doc, "share-x") {
			t.Error("feed still offers X")
		}
		if !has(doc, "share-linkedin") {
			t.Error("feed lost LinkedIn")
		}
		before := reach()
		resp := env.do(t, "employee", http.MethodPost, sharePath, url.Values{"network": {"x"}})
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if body := mustDoc(t, resp).Text(); !strings.Contains(body, "That network is not offered for sharing here.") {
			t.Errorf("refusal page does not say why: %q", body)
		}
		if after := reach(); !reflect.DeepEqual(before, after) {
			t.Errorf("reach changed from %+v to %+v", before, after)
		}
		if links := env.reachByPost(t, env.users["employee"].ID); len(links) != 0 {
			t.Errorf("employee links = %+v; want none", links)
		}
	})

	runStep(t, "the change is audit-logged", func(t *testing.T) {
		var ids []string
		found, err := env.store.Setting(ctx, store.SettingNetworksEnabled, &ids)
		if err != nil || !found || len(ids) != len(share.Networks)-1 {
			t.Fatalf("setting = %v (found %v), %v", ids, found, err)
		}
		entries, err := auditLog(ctx, env.store, 50)
		if err != nil {
			t.Fatal(err)
		}
		logged := false
		for _, e := range entries {
			if e.Action == "settings.change" && e.Target == "setting:"+store.SettingNetworksEnabled && e.ActorID == env.users["admin"].ID {
				logged = true
			}
		}
		if !logged {
			t.Error("no audit entry for the networks setting")
		}
	})

	runStep(t, "at least one network must stay enabled", func(t *testing.T) {
		resp := env.do(t, "admin", http.MethodPost, "/admin/content", networksForm())
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if doc := mustDoc(t, resp); !has(doc, "error-networks") {
			t.Error("no message about the networks")
		}
		var ids []string
		if _, err := env.store.Setting(ctx, store.SettingNetworksEnabled, &ids); err != nil || len(ids) != len(share.Networks)-1 {
			t.Errorf("setting changed to %v, %v", ids, err)
		}
		resp = env.do(t, "admin", http.MethodPost, "/admin/content", networksForm("myspace"))
		wantStatus(t, resp, http.StatusUnprocessableEntity)
	})

	runStep(t, "forms without the networks fieldset leave them alone", func(t *testing.T) {
		env.saveContentSettings(t, true)
		doc := mustDoc(t, env.do(t, "employee", http.MethodGet, "/feed", nil))
		if has(doc, "share-x") {
			t.Error("X came back without being re-enabled")
		}
	})

	runStep(t, "re-enabling brings it back", func(t *testing.T) {
		wantRedirect(t, env.do(t, "admin", http.MethodPost, "/admin/content", networksForm(share.Networks...)), "/admin/content?saved=1")
		doc := mustDoc(t, env.do(t, "employee", http.MethodGet, "/feed", nil))
		if !has(doc, "share-x") {
			t.Error("feed does not offer X again")
		}
		resp := env.do(t, "employee", http.MethodPost, sharePath, url.Values{"network": {"x"}})
		wantStatus(t, resp, http.StatusSeeOther)
		if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "https://x.com/intent/post?") {
			t.Errorf("redirected to %q", loc)
		}
		if links := env.reachByPost(t, env.users["employee"].ID); len(links) != 1 {
			t.Errorf("employee links = %+v; want one", links)
		}
	})
}
