package share

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/cadence"
	"github.com/advocacy-portal/portal/internal/pause"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/training"
)

var gateNow = time.Date(2026, 11, 5, 9, 0, 0, 0, time.UTC)

// gateGuidelines has two modules of which "basics" is required.
func gateGuidelines() *training.Guidelines {
	return &training.Guidelines{Required: []string{"basics"}, Modules: []training.Module{{ID: "basics"}, {ID: "extra"}}}
}

// openFacts are the facts of a share nothing stands in the way of: the
// person acknowledged the code and passed "basics", and the post is live
// for everyone, with suggestions for any network and for X.
func openFacts() Facts {
	return Facts{
		Progress:        training.Progress{Acknowledged: []string{"v1"}, Passed: map[string]bool{"basics": true}},
		ConductVersions: []training.ConductVersion{{Seq: 1, Version: "v1", Material: true}},
		Post: post.Post{ID: 7, Title: "Spring launch", Status: post.Approved, Category: post.Product, CampaignID: 3,
			PublishAt: gateNow.Add(-time.Hour), Hashtags: []string{"launch"},
			Suggestions: []post.Suggestion{{Text: "Have a look"}, {Network: "x", Text: "Short for X"}}},
		PostFound: true,
		Targeted:  true,
	}
}

// summary is the part of a Decision a case states.
type summary struct {
	Refused      Reason
	Missing      []string // "conduct" or module ids
	PostID       int64
	PauseID      int64
	SharedToday  int
	Limit        int
	Text         string
	Instance     string
	SaveInstance bool
}

func summarize(d Decision) summary {
	s := summary{Refused: d.Refused, PostID: d.Post.ID, PauseID: d.Pause.ID, SharedToday: d.SharedToday, Limit: d.Limit,
		Text: d.Text, Instance: d.Instance, SaveInstance: d.SaveInstance}
	for _, st := range d.Missing {
		if st.Module == nil {
			s.Missing = append(s.Missing, "conduct")
		} else {
			s.Missing = append(s.Missing, st.Module.ID)
		}
	}
	return s
}

func TestDecide(t *testing.T) {
	const suggestion = "Have a look #launch"
	tests := []struct {
		name   string
		req    Request // an empty Network means LinkedIn
		change func(*Facts)
		want   summary
	}{
		{"allowed, with the suggestion for the network", Request{}, nil,
			summary{PostID: 7, Text: suggestion}},
		{"X gets its own suggestion", Request{Network: X}, nil,
			summary{PostID: 7, Text: "Short for X #launch"}},

		// Training.
		{"code of conduct not acknowledged", Request{}, func(f *Facts) { f.Progress.Acknowledged = nil },
			summary{Refused: TrainingMissing, Missing: []string{"conduct"}}},
		{"acknowledged a version before the latest material one", Request{}, func(f *Facts) {
			f.ConductVersions = append(f.ConductVersions, training.ConductVersion{Seq: 2, Version: "v2", Material: true})
		}, summary{Refused: TrainingMissing, Missing: []string{"conduct"}}},
		{"required module not passed", Request{}, func(f *Facts) { f.Progress.Passed = nil },
			summary{Refused: TrainingMissing, Missing: []string{"basics"}}},
		{"both missing, the code first", Request{}, func(f *Facts) { f.Progress = training.Progress{} },
			summary{Refused: TrainingMissing, Missing: []string{"conduct", "basics"}}},
		{"admins require another module", Request{}, func(f *Facts) {
			f.RequiredChosen, f.RequiredModules = true, []string{"basics", "extra"}
		}, summary{Refused: TrainingMissing, Missing: []string{"extra"}}},
		{"admins require none", Request{}, func(f *Facts) { f.RequiredChosen, f.Progress.Passed = true, nil },
			summary{PostID: 7, Text: suggestion}},
		{"training is checked before the post", Request{}, func(f *Facts) { f.Progress.Acknowledged, f.PostFound = nil, false },
			summary{Refused: TrainingMissing, Missing: []string{"conduct"}}},

		// The post.
		{"no such post", Request{}, func(f *Facts) { f.Post, f.PostFound = post.Post{}, false },
			summary{Refused: NoSuchPost}},
		{"draft", Request{}, func(f *Facts) { f.Post.Status = post.Draft },
			summary{Refused: NotLive, PostID: 7}},
		{"in review", Request{}, func(f *Facts) { f.Post.Status = post.InReview },
			summary{Refused: NotLive, PostID: 7}},
		{"scheduled", Request{}, func(f *Facts) { f.Post.PublishAt = gateNow.Add(time.Minute) },
			summary{Refused: NotLive, PostID: 7}},
		{"expired", Request{}, func(f *Facts) { f.Post.ExpiresAt = gateNow },
			summary{Refused: NotLive, PostID: 7}},
		{"archived", Request{}, func(f *Facts) { f.Post.Status = post.Archived },
			summary{Refused: NotLive, PostID: 7}},
		{"targeted at others", Request{}, func(f *Facts) { f.Targeted = false },
			summary{Refused: NotForYou, PostID: 7}},
		{"not live is checked before targeting", Request{}, func(f *Facts) { f.Post.Status, f.Targeted = post.Draft, false },
			summary{Refused: NotLive, PostID: 7}},

		// Pauses.
		{"programme paused", Request{}, func(f *Facts) { f.Pauses = []pause.Pause{{ID: 4, Scope: pause.Programme}} },
			summary{Refused: Paused, PostID: 7, PauseID: 4}},
		{"its campaign paused", Request{}, func(f *Facts) {
			f.Pauses = []pause.Pause{{ID: 4, Scope: pause.Campaign(9)}, {ID: 5, Scope: pause.Campaign(3)}}
		}, summary{Refused: Paused, PostID: 7, PauseID: 5}},
		{"its category paused", Request{}, func(f *Facts) { f.Pauses = []pause.Pause{{ID: 6, Scope: pause.Category(post.Product)}} },
			summary{Refused: Paused, PostID: 7, PauseID: 6}},
		{"another campaign and category paused", Request{}, func(f *Facts) {
			f.Pauses = []pause.Pause{{ID: 4, Scope: pause.Campaign(9)}, {ID: 6, Scope: pause.Category(post.Jobs)}}
		}, summary{PostID: 7, Text: suggestion}},
		{"a resumed pause holds nothing", Request{}, func(f *Facts) {
			f.Pauses = []pause.Pause{{ID: 4, Scope: pause.Programme, ResumedAt: gateNow}}
		}, summary{PostID: 7, Text: suggestion}},
		{"a pause is checked before the network", Request{Network: "myspace"}, func(f *Facts) {
			f.Pauses = []pause.Pause{{ID: 4, Scope: pause.Programme}}
		}, summary{Refused: Paused, PostID: 7, PauseID: 4}},

		// Networks.
		{"unknown network", Request{Network: "myspace"}, nil, summary{Refused: UnknownNetwork, PostID: 7}},
		{"network admins turned off", Request{Network: X}, func(f *Facts) {
			f.NetworksChosen, f.Networks = true, []string{"linkedin"}
		}, summary{Refused: NetworkOff, PostID: 7}},
		{"network admins kept on", Request{Network: X}, func(f *Facts) {
			f.NetworksChosen, f.Networks = true, []string{"x"}
		}, summary{PostID: 7, Text: "Short for X #launch"}},
		{"admins chose none at all", Request{}, func(f *Facts) { f.NetworksChosen = true },
			summary{Refused: NetworkOff, PostID: 7}},

		// Cadence.
		{"under the limit", Request{}, func(f *Facts) { f.Cadence, f.SharedToday = cadence.Rule{Limit: 2}, 1 },
			summary{PostID: 7, SharedToday: 1, Limit: 2, Text: suggestion}},
		{"at the gentle limit it asks", Request{}, func(f *Facts) { f.Cadence, f.SharedToday = cadence.Rule{Limit: 2}, 2 },
			summary{Refused: CadenceAsk, PostID: 7, SharedToday: 2, Limit: 2}},
		{"at the gentle limit, confirmed", Request{Confirmed: true}, func(f *Facts) { f.Cadence, f.SharedToday = cadence.Rule{Limit: 2}, 2 },
			summary{PostID: 7, SharedToday: 2, Limit: 2, Text: suggestion}},
		{"at the hard cap, even confirmed", Request{Confirmed: true}, func(f *Facts) {
			f.Cadence, f.SharedToday = cadence.Rule{Limit: 2, Hard: true}, 2
		}, summary{Refused: CadenceCap, PostID: 7, SharedToday: 2, Limit: 2}},
		{"no limit", Request{}, func(f *Facts) { f.SharedToday = 50 },
			summary{PostID: 7, SharedToday: 50, Text: suggestion}},
		{"the cadence is asked before the text is measured", Request{Text: strings.Repeat("a", MaxText+1), OwnText: true},
			func(f *Facts) { f.Cadence, f.SharedToday = cadence.Rule{Limit: 1}, 1 },
			summary{Refused: CadenceAsk, PostID: 7, SharedToday: 1, Limit: 1}},

		// Text.
		{"own words", Request{Text: "My own words", OwnText: true}, nil, summary{PostID: 7, Text: "My own words"}},
		{"own words left empty", Request{OwnText: true}, nil, summary{PostID: 7}},
		{"text without OwnText is ignored", Request{Text: "ignored"}, nil, summary{PostID: 7, Text: suggestion}},
		{"Facebook gets no suggestion", Request{Network: Facebook}, nil, summary{PostID: 7}},
		{"text at the limit, counted in characters", Request{Text: strings.Repeat("é", MaxText), OwnText: true}, nil,
			summary{PostID: 7, Text: strings.Repeat("é", MaxText)}},
		{"text over the limit", Request{Text: strings.Repeat("a", MaxText+1), OwnText: true}, nil,
			summary{Refused: TextTooLong, PostID: 7, Text: strings.Repeat("a", MaxText+1)}},

		// Mastodon.
		{"Mastodon without a server", Request{Network: Mastodon}, nil,
			summary{Refused: InstanceNeeded, PostID: 7, Text: suggestion}},
		{"Mastodon with the saved server", Request{Network: Mastodon}, func(f *Facts) { f.Instance = "mastodon.social" },
			summary{PostID: 7, Text: suggestion, Instance: "mastodon.social"}},
		{"Mastodon with a server typed", Request{Network: Mastodon, Instance: "https://Fosstodon.org/"},
			func(f *Facts) { f.Instance = "mastodon.social" },
			summary{PostID: 7, Text: suggestion, Instance: "fosstodon.org", SaveInstance: true}},
		{"Mastodon with a server that is not one", Request{Network: Mastodon, Instance: "not a server"}, nil,
			summary{Refused: InstanceInvalid, PostID: 7, Text: suggestion}},
		{"a server typed for another network is ignored", Request{Network: LinkedIn, Instance: "not a server"}, nil,
			summary{PostID: 7, Text: suggestion}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := openFacts()
			if tt.change != nil {
				tt.change(&f)
			}
			r := tt.req
			if r.Network == "" {
				r.Network = LinkedIn
			}
			d := Decide(gateGuidelines(), r, f, gateNow)
			if got := summarize(d); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Decide =\n %+v\nwant\n %+v", got, tt.want)
			}
			if d.Allowed() != (tt.want.Refused == "") {
				t.Errorf("Allowed() = %v with Refused %q", d.Allowed(), d.Refused)
			}
			if d.Network != r.Network {
				t.Errorf("Network = %q, want %q", d.Network, r.Network)
			}
		})
	}
}

// TestDecideNoNetwork covers a form sent without a network, which the
// table cannot state (an empty Network there means LinkedIn).
func TestDecideNoNetwork(t *testing.T) {
	if d := Decide(gateGuidelines(), Request{}, openFacts(), gateNow); d.Refused != UnknownNetwork {
		t.Errorf("Refused = %q, want %q", d.Refused, UnknownNetwork)
	}
}

func TestOffered(t *testing.T) {
	tests := []struct {
		name   string
		ids    []string
		chosen bool
		want   []Network
	}{
		{"never chosen: every network", nil, false, Networks},
		{"chosen: in the feed's order", []string{"copy", "x", "linkedin"}, true, []Network{LinkedIn, X, Copy}},
		{"unknown ids are dropped", []string{"myspace", "bluesky"}, true, []Network{Bluesky}},
		{"chosen none", nil, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Offered(tt.ids, tt.chosen); !slices.Equal(got, tt.want) {
				t.Errorf("Offered = %v, want %v", got, tt.want)
			}
		})
	}
}
