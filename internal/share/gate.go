package share

import (
	"slices"
	"time"

	"github.com/advocacy-portal/portal/internal/cadence"
	"github.com/advocacy-portal/portal/internal/pause"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/training"
)

// MaxText bounds, in characters, the text an employee sends to a share page.
const MaxText = 3000

// Request is a person asking to share a post on a network, as they sent it.
type Request struct {
	UserID int64
	PostID int64 // 0 names no post (e.g. an id that did not parse)
	// Network is the network as sent; Decide refuses one it does not know.
	Network Network
	// Text is the person's own words; it counts only with OwnText.
	Text string
	// OwnText says the person wrote or changed the text; otherwise the
	// network gets the post's suggestion for it.
	OwnText bool
	// Instance is a Mastodon server as the person typed it; "" means the
	// one they saved before.
	Instance string
	// Confirmed says the person read why a pause is wise (CadenceAsk) and
	// chose to share anyway.
	Confirmed bool
}

// Facts are what the share gate decides on, about one person, post and
// network. The Service reads them in the transaction that records the share.
type Facts struct {
	Progress        training.Progress         // what the person has done of their training
	ConductVersions []training.ConductVersion // every version of the code of conduct
	RequiredModules []string                  // the module ids admins require, when RequiredChosen
	RequiredChosen  bool                      // admins chose the required modules; otherwise the guidelines' own list applies

	Post      post.Post
	PostFound bool // false when there is no post with the id asked for
	Targeted  bool // the post has no target groups, or the person is in one of them

	Pauses []pause.Pause // the pauses in force

	Networks       []string // ids of the networks admins enabled, when NetworksChosen
	NetworksChosen bool     // admins chose the networks; otherwise every network is offered

	Cadence     cadence.Rule // the share cadence admins set
	SharedToday int          // the person's shares on the network since the cadence day began (cadence.DayStart)

	Instance string // the person's saved Mastodon server; "" if none
}

// Reason is why the gate refused a share. The zero Reason means it did not.
type Reason string

// The reasons for refusing a share, in the order the gate checks them.
const (
	TrainingMissing Reason = "training-missing" // the code of conduct or a required module is still to do; see Decision.Missing
	NoSuchPost      Reason = "no-such-post"     // there is no post with that id
	NotLive         Reason = "not-live"         // the post is not live now (draft, scheduled, expired, archived)
	NotForYou       Reason = "not-for-you"      // the post targets groups the person is not in
	Paused          Reason = "paused"           // a crisis pause holds the post; see Decision.Pause
	UnknownNetwork  Reason = "unknown-network"  // no network of that name
	NetworkOff      Reason = "network-off"      // admins do not offer the network
	CadenceCap      Reason = "cadence-cap"      // past today's hard cap on the network; see Decision.SharedToday and Limit
	CadenceAsk      Reason = "cadence-ask"      // past today's gentle limit: ask first, share if Confirmed
	TextTooLong     Reason = "text-too-long"    // the text is longer than MaxText
	InstanceInvalid Reason = "instance-invalid" // the Mastodon server typed is not a host name
	InstanceNeeded  Reason = "instance-needed"  // sharing on Mastodon needs the person's server
)

// Decision is the gate's answer to one Request: the share may go ahead
// (Refused is empty), or it is refused for a Reason. Beside the reason it
// carries what a page needs to explain it or to carry on.
type Decision struct {
	Refused Reason
	Network Network

	Missing []training.Step // TrainingMissing: what still locks sharing, in order
	Post    post.Post       // the post, once found
	Pause   pause.Pause     // Paused: the pause holding the post

	SharedToday int // the person's shares on the network today, once the network is allowed
	Limit       int // the cadence limit per day and network; 0 for none

	Text string // what the network's share page gets, once the cadence allows the share

	// Instance is the Mastodon server to share to; SaveInstance says it
	// was typed with this request and is to be remembered for the person.
	Instance     string
	SaveInstance bool
}

// Allowed reports whether the share may go ahead.
func (d Decision) Allowed() bool { return d.Refused == "" }

// Decide says whether the share r asks for may go ahead at now, given the
// facts f read for it and the guidelines g (the modules there are, and the
// ones required unless admins chose). It checks, in order: training, the
// post (exists, live, for the person), pauses, the network (known, offered),
// the cadence, the text, and for Mastodon the person's server; the first
// that fails is the reason.
func Decide(g *training.Guidelines, r Request, f Facts, now time.Time) Decision {
	d := Decision{Network: r.Network}
	refuse := func(why Reason) Decision { d.Refused = why; return d }

	if d.Missing = missing(g, f.Progress, f.ConductVersions, f.RequiredModules, f.RequiredChosen); len(d.Missing) > 0 {
		return refuse(TrainingMissing)
	}

	if !f.PostFound {
		return refuse(NoSuchPost)
	}
	d.Post = f.Post
	if !f.Post.Live(now) {
		return refuse(NotLive)
	}
	if !f.Targeted {
		return refuse(NotForYou)
	}
	if pa, held := pause.Holding(f.Pauses, f.Post); held {
		d.Pause = pa
		return refuse(Paused)
	}

	if _, ok := Parse(string(r.Network)); !ok {
		return refuse(UnknownNetwork)
	}
	if !slices.Contains(Offered(f.Networks, f.NetworksChosen), r.Network) {
		return refuse(NetworkOff)
	}

	d.SharedToday, d.Limit = f.SharedToday, max(f.Cadence.Limit, 0)
	switch f.Cadence.Decide(f.SharedToday) {
	case cadence.Refuse:
		return refuse(CadenceCap)
	case cadence.Ask:
		if !r.Confirmed {
			return refuse(CadenceAsk)
		}
	}

	// The person's own words if they changed the ones offered, otherwise
	// the suggestion for the network (which may differ from the one shown).
	d.Text = f.Post.ShareText(string(r.Network), r.Network.Prefills())
	if r.OwnText {
		d.Text = r.Text
	}
	if len([]rune(d.Text)) > MaxText {
		return refuse(TextTooLong)
	}

	if r.Network == Mastodon {
		d.Instance = f.Instance
		if r.Instance != "" {
			host, ok := ParseInstance(r.Instance)
			if !ok {
				return refuse(InstanceInvalid)
			}
			d.Instance, d.SaveInstance = host, true
		}
		if d.Instance == "" {
			return refuse(InstanceNeeded)
		}
	}
	return d
}

// Offered returns the networks offered for sharing, in the order of
// Networks: those whose ids admins enabled or, when they never chose
// (chosen is false), every network.
func Offered(ids []string, chosen bool) []Network {
	if !chosen {
		return Networks
	}
	var out []Network
	for _, n := range Networks {
		if slices.Contains(ids, string(n)) {
			out = append(out, n)
		}
	}
	return out
}

// missing is what still locks sharing for a person with progress p: the
// code of conduct's versions to acknowledge and the required modules to
// pass, the required ones being those admins chose or, when they never
// chose, the guidelines' own.
func missing(g *training.Guidelines, p training.Progress, versions []training.ConductVersion, modules []string, chosen bool) []training.Step {
	required := g.Required
	if chosen {
		required = modules
	}
	return g.Missing(p, versions, required)
}
