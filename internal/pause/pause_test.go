package pause

import (
	"slices"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/post"
)

func TestParseScope(t *testing.T) {
	tests := []struct {
		in     string
		want   Scope
		wantOK bool
	}{
		{"programme", Programme, true},
		{" campaign:12 ", "campaign:12", true},
		{"campaign:x", "", false},
		{"campaign:0", "", false},
		{"category:news", "category:news", true},
		{"category:", "", false},
		{"everything", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseScope(tt.in)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ParseScope(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestHolding(t *testing.T) {
	p := post.Post{ID: 1, CampaignID: 7, Category: "news"}
	resumed := Pause{Scope: Programme, ResumedAt: time.Now()}
	tests := []struct {
		name     string
		pauses   []Pause
		wantHeld bool
	}{
		{"none", nil, false},
		{"programme", []Pause{{Scope: Programme}}, true},
		{"its campaign", []Pause{{Scope: Campaign(7)}}, true},
		{"other campaign", []Pause{{Scope: Campaign(8)}}, false},
		{"its category", []Pause{{Scope: Category("news")}}, true},
		{"other category", []Pause{{Scope: Category("culture")}}, false},
		{"resumed", []Pause{resumed}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, held := Holding(tt.pauses, p); held != tt.wantHeld {
				t.Errorf("held = %v, want %v", held, tt.wantHeld)
			}
			if got := len(Without(tt.pauses, []post.Post{p})); got != map[bool]int{true: 0, false: 1}[tt.wantHeld] {
				t.Errorf("Without kept %d posts", got)
			}
		})
	}
}

func TestCovering(t *testing.T) {
	tests := []struct {
		name string
		post post.Post
		want []Scope
	}{
		{"in a campaign", post.Post{CampaignID: 7, Category: post.Jobs}, []Scope{Programme, "campaign:7", "category:jobs"}},
		{"in no campaign", post.Post{Category: post.Culture}, []Scope{Programme, "category:culture"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Covering(tt.post)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Covering = %q, want %q", got, tt.want)
			}
			for _, sc := range []Scope{Programme, Campaign(7), Campaign(8), Category(post.Jobs), Category(post.Culture)} {
				if covers := sc.Covers(tt.post); covers != slices.Contains(tt.want, sc) {
					t.Errorf("%s.Covers = %v, want %v", sc, covers, !covers)
				}
			}
		})
	}
}
