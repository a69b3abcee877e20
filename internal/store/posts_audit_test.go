package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
)

// TestTransitionsAreAudited checks that approving, sending back and
// archiving a post each leave exactly one audit row, and that submitting
// (an author's own step) leaves none.
func TestTransitionsAreAudited(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	author := mustSignIn(t, s, "oidc:1", "mei@example.com", account.Comms)
	reviewer := mustSignIn(t, s, "oidc:2", "carlos@example.com", account.Comms)
	id := mustCreatePost(t, s, author.ID, "Launch", "")
	steps := []struct {
		action     post.Action
		actor      int64
		comment    string
		wantAction string // "" when no audit row is expected
		wantAfter  string
	}{
		{post.Submit, author.ID, "", "", ""},
		{post.Return, reviewer.ID, "Shorter, please", "post.return", `{"status":"draft"}`},
		{post.Submit, author.ID, "", "", ""},
		{post.Approve, reviewer.ID, "", "post.approve", `{"status":"approved"}`},
		{post.Archive, reviewer.ID, "", "post.archive", `{"status":"archived"}`},
	}
	for _, st := range steps {
		before, err := auditLog(ctx, s, 100)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := transitionPost(ctx, s, id, st.action, st.actor, st.comment, post.DefaultPolicy); err != nil {
			t.Fatalf("%s: %v", st.action, err)
		}
		after, err := auditLog(ctx, s, 100)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case st.wantAction == "" && len(after) != len(before):
			t.Errorf("%s wrote %d audit rows, want none", st.action, len(after)-len(before))
		case st.wantAction != "" && len(after) != len(before)+1:
			t.Errorf("%s wrote %d audit rows, want 1", st.action, len(after)-len(before))
		case st.wantAction != "":
			e := after[0]
			if e.Action != st.wantAction || e.ActorID != st.actor || e.Target != fmt.Sprintf("post:%d", id) || e.After != st.wantAfter {
				t.Errorf("%s audit row = %+v", st.action, e)
			}
		}
	}
}
