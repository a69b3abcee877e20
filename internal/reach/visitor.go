package reach

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"hash"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// VisitorSize is the length in bytes of a visitor hash.
const VisitorSize = 16

// Visitor is a keyed hash of a client address and user agent: the same
// person on the same day gives the same Visitor; nothing in it leads back
// to the address once the day's salt is deleted.
type Visitor [VisitorSize]byte

// SaltStore keeps the daily visitor salts. internal/store implements it.
type SaltStore interface {
	// VisitorSalt returns day's salt, storing fresh if the day has none,
	// and deletes the salts of days before keepFrom.
	VisitorSalt(ctx context.Context, day, keepFrom string, fresh []byte) ([]byte, error)
}

// saltSize is the length of a daily salt: an HMAC-SHA256 key of 32 bytes.
const saltSize = 32

// Hasher hashes visitors with HMAC-SHA256 keyed by a random salt per UTC
// day. Salts live in the database so that several portal processes agree
// on them; the first request of a day creates the day's salt and deletes
// all but the current and previous day's. It is safe for concurrent use.
type Hasher struct {
	salts SaltStore
	now   func() time.Time
	mu    sync.Mutex // serialises fetching a new day's salt
	cur   atomic.Pointer[daySalt]
}

// daySalt is one day's key with a pool of HMACs keyed by it.
type daySalt struct {
	start, end int64 // the day as Unix seconds, [start, end)
	macs       sync.Pool
}

// macState is a keyed HMAC with a scratch buffer, reused across requests.
type macState struct {
	mac hash.Hash
	buf []byte
	sum []byte
}

// NewHasher returns a Hasher that keeps salts in salts and reads the day
// from now (time.Now when nil).
func NewHasher(salts SaltStore, now func() time.Time) *Hasher {
	if now == nil {
		now = time.Now
	}
	return &Hasher{salts: salts, now: now}
}

// Hash returns the visitor hash of ip and userAgent for the current UTC day.
func (h *Hasher) Hash(ctx context.Context, ip netip.Addr, userAgent string) (Visitor, error) {
	d, err := h.day(ctx)
	if err != nil {
		return Visitor{}, err
	}
	m := d.macs.Get().(*macState)
	v := m.hash(ip, userAgent)
	d.macs.Put(m)
	return v, nil
}

// day returns the current day's salt, fetching it at the first request of
// a day.
func (h *Hasher) day(ctx context.Context) (*daySalt, error) {
	now := h.now().Unix()
	if d := h.cur.Load(); d != nil && now >= d.start && now < d.end {
		return d, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if d := h.cur.Load(); d != nil && now >= d.start && now < d.end {
		return d, nil
	}
	day := time.Unix(now, 0).UTC().Truncate(24 * time.Hour)
	fresh := make([]byte, saltSize)
	rand.Read(fresh) // never returns an error (crypto/rand, Go 1.24+)
	salt, err := h.salts.VisitorSalt(ctx, day.Format(DayLayout), day.AddDate(0, 0, -1).Format(DayLayout), fresh)
	if err != nil {
		return nil, fmt.Errorf("reach: visitor salt: %w", err)
	}
	d := &daySalt{start: day.Unix(), end: day.AddDate(0, 0, 1).Unix()}
	d.macs.New = func() any {
		return &macState{mac: hmac.New(sha256.New, salt), buf: make([]byte, 0, 256), sum: make([]byte, 0, sha256.Size)}
	}
	h.cur.Store(d)
	return d, nil
}

// HashVisitor returns the visitor hash of ip and userAgent under salt. It
// is what Hasher.Hash computes; the benchmark uses it to check that every
// click it was answered for is in the database.
func HashVisitor(salt []byte, ip netip.Addr, userAgent string) Visitor {
	m := &macState{mac: hmac.New(sha256.New, salt)}
	return m.hash(ip, userAgent)
}

func (m *macState) hash(ip netip.Addr, userAgent string) Visitor {
	a := ip.Unmap().As16()
	m.buf = append(m.buf[:0], a[:]...)
	m.buf = append(m.buf, userAgent...)
	m.mac.Reset()
	m.mac.Write(m.buf)
	m.sum = m.mac.Sum(m.sum[:0])
	var v Visitor
	copy(v[:], m.sum)
	if cap(m.buf) > 4096 {
		m.buf = nil // do not keep an outsized user agent's buffer in the pool
	}
	return v
}
