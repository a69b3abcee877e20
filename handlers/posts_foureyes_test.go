package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/post"
)

// TestFourEyesBypassRefused is the reproduction of the issue through the
// portal: Mei (comms) writes a post and sends it for review, Carlos
// (comms2) rewrites its title and link while it is in review, then tries to
// approve it. He is refused, the page says why and offers him no approve
// button; a reviewer who changed nothing (admin) approves it.
func TestFourEyesBypassRefused(t *testing.T) {
	env := newTestEnv(t)
	id := postIDFrom(t, env.do(t, "comms", http.MethodPost, "/posts", postFormValues(url.Values{"then": {"submit"}})))
	postPath := fmt.Sprintf("/posts/%d", id)
	if p := env.post(t, id); p.Status != post.InReview {
		t.Fatalf("post is %s, want in review", p.Status)
	}

	if !has(mustDoc(t, env.do(t, "comms2", http.MethodGet, postPath+"/edit", nil)), "four-eyes-edit") {
		t.Error("the edit form does not say that changing the content rules out approving it")
	}
	wantRedirect(t, env.do(t, "comms2", http.MethodPost, postPath, postFormValues(url.Values{
		"title": {"Only Carlos wrote this"}, "url": {"https://carlos.example/elsewhere"}})), postPath)
	if p := env.post(t, id); p.Status != post.InReview || p.Title != "Only Carlos wrote this" {
		t.Fatalf("after Carlos's edit the post is %s %q, want in review with his title", p.Status, p.Title)
	}

	doc := mustDoc(t, env.do(t, "comms2", http.MethodGet, postPath, nil))
	if has(doc, "approve-post") {
		t.Error("Carlos, who changed the post, is offered the approve button")
	}
	if got := textOf(doc, "no-approval"); !strings.Contains(got, "You changed this post's title and link since it was last approved") {
		t.Errorf("page says %q, want why Carlos may not approve", got)
	}
	carlos := textOf(doc, fmt.Sprintf("editor-%d", env.users["comms2"].ID))
	mei := textOf(doc, fmt.Sprintf("editor-%d", env.users["comms"].ID))
	if carlos != "Test comms2 (title and link)" || !strings.HasPrefix(mei, "Test comms (title, link") {
		t.Errorf("editors on the page: %q and %q; want Mei with what she wrote and Carlos with title and link", mei, carlos)
	}

	resp := env.do(t, "comms2", http.MethodPost, postPath+"/approve", nil)
	wantStatus(t, resp, http.StatusConflict)
	doc = mustDoc(t, resp)
	if got := textOf(doc, "action-problem"); !strings.Contains(got, "You changed this post's title and link") || !strings.Contains(got, "four-eyes") {
		t.Errorf("refusal says %q, want the four-eyes reason", got)
	}
	if has(doc, "approve-post") || has(doc, "no-approval") {
		t.Error("the refusal page offers the approve button, or says the reason twice")
	}
	if p := env.post(t, id); p.Status != post.InReview || p.ApproverID != 0 {
		t.Fatalf("after the refused approval the post is %s, approver %d; want in review, unapproved", p.Status, p.ApproverID)
	}

	doc = mustDoc(t, env.do(t, "comms", http.MethodGet, postPath, nil))
	if has(doc, "approve-post") || !strings.Contains(textOf(doc, "no-approval"), "You wrote this post") {
		t.Errorf("Mei, the author, is offered to approve, or not told why not (%q)", textOf(doc, "no-approval"))
	}
	doc = mustDoc(t, env.do(t, "admin", http.MethodGet, postPath, nil))
	if !has(doc, "approve-post") || has(doc, "no-approval") {
		t.Error("a reviewer who changed nothing is not offered the approve button")
	}
	wantRedirect(t, env.do(t, "admin", http.MethodPost, postPath+"/approve", nil), postPath)
	if p := env.post(t, id); p.Status != post.Approved || p.ApproverID != env.users["admin"].ID {
		t.Errorf("post = %s approved by %d, want approved by admin", p.Status, p.ApproverID)
	}
}

// TestFourEyesOffLetsAnEditorApprove: with four-eyes turned off by an
// admin, the person who changed a post may approve it.
func TestFourEyesOffLetsAnEditorApprove(t *testing.T) {
	env := newTestEnv(t)
	env.saveContentSettings(t, false)
	id := postIDFrom(t, env.do(t, "comms", http.MethodPost, "/posts", postFormValues(url.Values{"then": {"submit"}})))
	postPath := fmt.Sprintf("/posts/%d", id)
	if has(mustDoc(t, env.do(t, "comms2", http.MethodGet, postPath+"/edit", nil)), "four-eyes-edit") {
		t.Error("the edit form speaks of the four-eyes rule while it is off")
	}
	wantRedirect(t, env.do(t, "comms2", http.MethodPost, postPath, postFormValues(url.Values{"title": {"Carlos's title"}})), postPath)
	doc := mustDoc(t, env.do(t, "comms2", http.MethodGet, postPath, nil))
	if !has(doc, "approve-post") || has(doc, "no-approval") {
		t.Error("without four-eyes the editor is not offered the approve button")
	}
	wantRedirect(t, env.do(t, "comms2", http.MethodPost, postPath+"/approve", nil), postPath)
	if p := env.post(t, id); p.Status != post.Approved || p.ApproverID != env.users["comms2"].ID {
		t.Errorf("post = %s approved by %d, want approved by its editor", p.Status, p.ApproverID)
	}
}

// TestRewrittenSuggestion: an employee suggests a link, comms rewrites it
// and sends it for review; the one who rewrote it may not approve it,
// another comms person may.
func TestRewrittenSuggestion(t *testing.T) {
	ctx := context.Background()
	env := newTestEnv(t)
	wantRedirect(t, env.do(t, "employee", http.MethodPost, "/suggest", url.Values{"url": {"https://example.com/read"},
		"title": {"Worth a read"}}), "/suggest?done=1")
	drafts, err := env.store.Posts(ctx, post.Filter{Statuses: []post.Status{post.Draft}})
	if err != nil || len(drafts) != 1 {
		t.Fatalf("drafts = %d, %v; want the suggestion", len(drafts), err)
	}
	id := drafts[0].ID
	postPath := fmt.Sprintf("/posts/%d", id)
	wantRedirect(t, env.do(t, "comms", http.MethodPost, postPath, postFormValues(url.Values{"title": {"Rewritten by comms"},
		"url": {"https://example.com/read"}, "suggestion_text": {"Words comms chose"}})), postPath)
	wantRedirect(t, env.do(t, "comms", http.MethodPost, postPath+"/submit", nil), postPath)

	resp := env.do(t, "comms", http.MethodPost, postPath+"/approve", nil)
	wantStatus(t, resp, http.StatusConflict)
	if got := textOf(mustDoc(t, resp), "action-problem"); !strings.Contains(got, "You changed this post's title and suggested commentary") {
		t.Errorf("refusal says %q", got)
	}
	doc := mustDoc(t, env.do(t, "comms2", http.MethodGet, postPath, nil))
	if got := textOf(doc, fmt.Sprintf("editor-%d", env.users["employee"].ID)); got != "Test employee (title and link)" {
		t.Errorf("the suggester as editor = %q", got)
	}
	wantRedirect(t, env.do(t, "comms2", http.MethodPost, postPath+"/approve", nil), postPath)
	if p := env.post(t, id); p.Status != post.Approved || p.ApproverID != env.users["comms2"].ID {
		t.Errorf("post = %s approved by %d, want approved by comms2", p.Status, p.ApproverID)
	}
}
