package handlers

// Helpers that fail the test instead of handing back a zero value: what
// tests read back from the database, through the read paths the product
// itself uses (the store has no methods for tests alone), and what they
// read from pages and the guidelines.

import (
	"context"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/advocacy-portal/portal/internal/audit"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/internal/training"
)

// module returns the guidelines' module id, failing the test if there is
// none.
func (env *testEnv) module(t *testing.T, id string) training.Module {
	t.Helper()
	m, ok := env.g.Module(id)
	if !ok {
		t.Fatalf("the guidelines have no module %q", id)
	}
	return m
}

// attr returns the attribute name of sel's first element, failing the test
// if sel is empty or that element has no such attribute.
func attr(t *testing.T, sel *goquery.Selection, name string) string {
	t.Helper()
	if sel.Length() == 0 {
		t.Fatalf("no element to read the %s attribute of", name)
	}
	v, ok := sel.Attr(name)
	if !ok {
		t.Fatalf("element has no %s attribute: %s", name, outerHTML(sel))
	}
	return v
}

// outerHTML is sel's first element as HTML, for failure messages.
func outerHTML(sel *goquery.Selection) string {
	h, err := goquery.OuterHtml(sel.First())
	if err != nil {
		return err.Error()
	}
	return h
}

// auditLog returns the newest entries of the audit log first, at most limit
// of them, read as the admins' audit page reads them.
func auditLog(ctx context.Context, s *store.Store, limit int) ([]audit.Entry, error) {
	records, _, err := s.SearchAudit(ctx, audit.Filter{Limit: limit})
	entries := make([]audit.Entry, len(records))
	for i, r := range records {
		entries[i] = r.Entry
	}
	return entries, err
}

// livePosts returns the posts live now, for everyone, as the feed reads them.
func (env *testEnv) livePosts(t *testing.T) []post.Post {
	t.Helper()
	live, err := env.store.Posts(context.Background(), post.Filter{LiveAt: env.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return live
}

// reachByPost returns today's shares and clicks per post, most clicked
// first, as the reach pages add them up: userID's own, or with userID 0
// everyone's. A post appears once it has a share (a tracked link is only
// ever made with one).
func (env *testEnv) reachByPost(t *testing.T, userID int64) []reach.Line {
	t.Helper()
	day := env.clock.Now().UTC().Truncate(24 * time.Hour)
	r, err := env.store.ReachReport(context.Background(), reach.Scope{UserID: userID}, day, day.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	return r.Posts
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
