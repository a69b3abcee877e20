package reach

import (
	"bytes"
	"context"
	"net/netip"
	"sync"
	"time"

	"github.com/advocacy-portal/portal/internal/share"
)

// Store is what a Recorder needs of storage. internal/store implements it.
type Store interface {
	Committer
	SaltStore
	RollupStore
	TargetStore
}

// TargetStore looks up where tracked links go.
type TargetStore interface {
	// LinkTarget returns the redirect target of the link with code; for
	// an unknown code, an error of kind apperr.NotFound.
	LinkTarget(ctx context.Context, code string) (LinkTarget, error)
}

// LinkTarget is what the redirect path needs to know about a tracked link.
type LinkTarget struct {
	LinkID   int64
	Network  share.Network
	PostURL  string
	Campaign string // the post's campaign, or its slug when it has none
}

// Hit is one request to a tracked link, as it is kept: a person's click,
// a preview or a bot. It holds no IP address and no user agent: people
// are told apart only by Visitor.
type Hit struct {
	LinkID int64
	At     time.Time
	Kind   Kind
	// Visitor is the keyed visitor hash of a person's click (Hasher); nil
	// for previews and bots, which are not visitors.
	Visitor []byte
}

// DayLayout formats the UTC day that hits are rolled up by and that
// visitor salts belong to.
const DayLayout = "2006-01-02"

// Config sets up a Recorder. Every field is optional.
type Config struct {
	// Writer group-commits the clicks, and a Tally must then roll them
	// up. Without one, each click is committed in a transaction of its
	// own and rolled up at once (tests, tools).
	Writer *Writer
	// Now is the clock for click times and salt days (time.Now by default).
	Now func() time.Time
	// TargetTTL is how long a link's redirect target is remembered
	// (default 30s): a change to a post's address reaches the redirect
	// path within that time.
	TargetTTL time.Duration
	// MaxTargets bounds the targets remembered (default 10000).
	MaxTargets int
}

// Recorder is the redirect path's domain: where a tracked link goes, and
// recording each request to it with its kind and visitor. It is safe for
// concurrent use.
type Recorder struct {
	store      Store
	writer     *Writer
	now        func() time.Time
	classifier Classifier
	hasher     *Hasher
	ttl        time.Duration
	maxTargets int

	mu      sync.RWMutex
	targets map[string]cachedTarget
}

// Target is where a tracked link sends its visitors.
type Target struct {
	LinkID   int64
	Location string // the post's URL with the link's UTM parameters
}

type cachedTarget struct {
	Target
	expires int64 // Unix nanoseconds
}

// NewRecorder returns a Recorder over st.
func NewRecorder(st Store, cfg Config) *Recorder {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TargetTTL <= 0 {
		cfg.TargetTTL = 30 * time.Second
	}
	if cfg.MaxTargets <= 0 {
		cfg.MaxTargets = 10000
	}
	return &Recorder{store: st, writer: cfg.Writer, now: cfg.Now, hasher: NewHasher(st, cfg.Now),
		ttl: cfg.TargetTTL, maxTargets: cfg.MaxTargets, targets: map[string]cachedTarget{}}
}

// Target returns where the link with code goes: for an unknown code, the
// TargetStore's error of kind apperr.NotFound. Targets are remembered for the
// configured TTL; unknown codes are not, so a new link works at once.
func (r *Recorder) Target(ctx context.Context, code string) (Target, error) {
	now := r.now().UnixNano()
	r.mu.RLock()
	t, ok := r.targets[code]
	r.mu.RUnlock()
	if ok && now < t.expires {
		return t.Target, nil
	}
	lt, err := r.store.LinkTarget(ctx, code)
	if err != nil {
		return Target{}, err
	}
	loc, err := share.Target(lt.PostURL, lt.Network, lt.Campaign)
	if err != nil {
		return Target{}, err
	}
	t = cachedTarget{Target: Target{LinkID: lt.LinkID, Location: loc}, expires: now + int64(r.ttl)}
	r.mu.Lock()
	if len(r.targets) >= r.maxTargets {
		r.evict(now)
	}
	r.targets[string([]byte(code))] = t // copy: code may live in a reused request buffer
	r.mu.Unlock()
	return t.Target, nil
}

// evict drops expired targets, or, if none has expired, an arbitrary
// eighth of them. It runs with r.mu held.
func (r *Recorder) evict(now int64) {
	for k, t := range r.targets {
		if now >= t.expires {
			delete(r.targets, k)
		}
	}
	for k := range r.targets {
		if len(r.targets) < r.maxTargets-r.maxTargets/8 {
			break
		}
		delete(r.targets, k) // map order is random enough for a cache
	}
}

// Visit is one request to a tracked link. IP is the client's address; it
// is hashed, never stored.
type Visit struct {
	LinkID    int64
	Method    string
	UserAgent string
	IP        netip.Addr
}

// Record classifies v, hashes the visitor of a person's click, and
// returns once the click is committed. The caller may answer the request
// (redirect) only when the error is nil.
func (r *Recorder) Record(ctx context.Context, v Visit) (Kind, error) {
	kind := r.classifier.Classify(v.Method, v.UserAgent)
	at := r.now()
	var visitor Visitor
	n := 0
	if kind == Click {
		var err error
		if visitor, err = r.hasher.Hash(ctx, v.IP, v.UserAgent); err != nil {
			return kind, err
		}
		n = len(visitor)
	}
	if r.writer != nil {
		return kind, r.writer.record(v.LinkID, at, kind, visitor[:n])
	}
	h := Hit{LinkID: v.LinkID, At: at, Kind: kind, Visitor: bytes.Clone(visitor[:n])}
	if err := r.store.RecordClicks(ctx, []Hit{h}); err != nil {
		return kind, err
	}
	// Without a writer no Tally runs: roll this click up now. The click is
	// committed and must be answered as such; if rolling up fails, the
	// next call rolls up what it left.
	_, _ = r.store.RollUpClicks(ctx, 0)
	return kind, nil
}
