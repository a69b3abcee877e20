package reach

import (
	"errors"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/share"
)

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in      string
		want    Money
		wantErr error
	}{
		{"0.85", 8500, nil},
		{"1", 10_000, nil},
		{"0,5", 5000, nil},
		{".5", 5000, nil},
		{"12.", 120_000, nil},
		{" 2.5 ", 25_000, nil},
		{"0.0125", 125, nil},
		{"", 0, nil},
		{"0", 0, nil},
		{"100000", 100_000 * moneyScale, nil},
		{"-1", 0, ErrNegativeMoney},
		{"-0.01", 0, ErrNegativeMoney},
		{"abc", 0, ErrNotMoney},
		{"1e3", 0, ErrNotMoney},
		{"1,000.50", 0, ErrNotMoney},
		{".", 0, ErrNotMoney},
		{"€1", 0, ErrNotMoney},
		{"--1", 0, ErrNotMoney},
		{"1.23456", 0, ErrTooPrecise},
		{"100000.0001", 0, ErrTooMuchMoney},
		{"99999999999999999999", 0, ErrTooMuchMoney},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMoney(tt.in)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("ParseMoney(%q) = %d, %v; want %d, %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestMoneyFormats(t *testing.T) {
	tests := []struct {
		m         Money
		wantText  string
		wantCents int64
	}{
		{8500, "0.85", 85},
		{125, "0.0125", 1},
		{150, "0.015", 2},
		{120_000, "12.00", 1200},
		{0, "0.00", 0},
		{-8500, "-0.85", -85},
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.wantText {
			t.Errorf("Money(%d).String() = %q, want %q", tt.m, got, tt.wantText)
		}
		if got := tt.m.Cents(); got != tt.wantCents {
			t.Errorf("Money(%d).Cents() = %d, want %d", tt.m, got, tt.wantCents)
		}
		if tt.m >= 0 {
			if back, err := ParseMoney(tt.m.String()); err != nil || back != tt.m {
				t.Errorf("ParseMoney(%q) = %d, %v; want it back", tt.m.String(), back, err)
			}
		}
	}
}

func TestEMV(t *testing.T) {
	costs := map[share.Network]Money{share.LinkedIn: 8500, share.X: 5000}
	tests := []struct {
		name   string
		clicks map[share.Network]int64
		want   Money
	}{
		{"clicks times each network's cost", map[share.Network]int64{share.LinkedIn: 10, share.X: 3}, 10*8500 + 3*5000},
		{"a network without a cost adds nothing", map[share.Network]int64{share.Facebook: 7, share.LinkedIn: 1}, 8500},
		{"no clicks", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EMV(tt.clicks, costs); got != tt.want {
				t.Errorf("EMV = %d, want %d", got, tt.want)
			}
		})
	}
	if got := EMV(map[share.Network]int64{share.LinkedIn: 10_000_000}, costs).Cents(); got != 850_000_000 {
		t.Errorf("10 million LinkedIn clicks at 0.85: %d cents, want 850000000", got)
	}
}

func TestCTR(t *testing.T) {
	tests := []struct {
		name          string
		clicks, reach int64
		want          float64
		wantOK        bool
	}{
		{"clicks over reach", 5, 200, 0.025, true},
		{"no clicks", 0, 200, 0, true},
		{"no potential reach: no rate", 5, 0, 0, false},
		{"nothing at all", 0, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := CTR(tt.clicks, tt.reach)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("CTR(%d, %d) = %v, %v; want %v, %v", tt.clicks, tt.reach, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestDelta(t *testing.T) {
	tests := []struct {
		name      string
		cur, prev int64
		want      float64
		wantOK    bool
	}{
		{"a rise", 120, 100, 20, true},
		{"a fall", 50, 100, -50, true},
		{"no change", 7, 7, 0, true},
		{"down to nothing", 0, 4, -100, true},
		{"nothing before: no percentage", 5, 0, 0, false},
		{"nothing either time", 0, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Delta(tt.cur, tt.prev)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Delta(%d, %d) = %v, %v; want %v, %v", tt.cur, tt.prev, got, ok, tt.want, tt.wantOK)
			}
		})
	}
	if got, ok := RateDelta(0.03, true, 0.02, true); !ok || got < 49.999 || got > 50.001 {
		t.Errorf("RateDelta(3%%, 2%%) = %v, %v; want 50", got, ok)
	}
	if _, ok := RateDelta(0.03, true, 0, false); ok {
		t.Error("RateDelta with no previous rate has a value")
	}
}

func TestPoints(t *testing.T) {
	// Three shares: LinkedIn, X and Facebook; the Facebook one earns nothing.
	var pointShares int64
	for _, n := range []share.Network{share.LinkedIn, share.X, share.Facebook} {
		pointShares += n.Points()
	}
	if got := Points(pointShares, 7); got != 9 {
		t.Errorf("points for 3 shares (one on Facebook) and 7 clicks = %d, want 9", got)
	}
}

func TestRanks(t *testing.T) {
	got := Ranks([]int64{10, 8, 8, 5, 5, 5, 1})
	want := []int{1, 2, 2, 4, 4, 4, 7}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Ranks = %v, want %v", got, want)
		}
	}
	if len(Ranks(nil)) != 0 {
		t.Error("ranks of no one")
	}
}

func TestPeriods(t *testing.T) {
	now := time.Date(2026, 11, 22, 15, 4, 0, 0, time.FixedZone("CET", 3600))
	d := func(m time.Month, day int) time.Time { return time.Date(2026, m, day, 0, 0, 0, 0, time.UTC) }
	week := LastDays(now, 7)
	if !week.From.Equal(d(11, 16)) || !week.To.Equal(d(11, 23)) || week.Days() != 7 || !week.Last().Equal(d(11, 22)) {
		t.Errorf("LastDays(7) = %v", week)
	}
	if prev := week.Previous(); !prev.From.Equal(d(11, 9)) || !prev.To.Equal(d(11, 16)) {
		t.Errorf("Previous = %v, want 9 to 16 November", prev)
	}
	if m := ThisMonth(now); !m.From.Equal(d(11, 1)) || !m.To.Equal(d(11, 23)) {
		t.Errorf("ThisMonth = %v", m)
	}
	tests := []struct {
		name, from, to string
		want           Period
		wantErr        error
	}{
		{"both days included", "2026-11-01", "2026-11-10", Period{d(11, 1), d(11, 11)}, nil},
		{"one day", "2026-11-22", "2026-11-22", Period{d(11, 22), d(11, 23)}, nil},
		{"not a date", "1 Nov", "2026-11-10", Period{}, ErrBadDate},
		{"missing", "", "2026-11-10", Period{}, ErrBadDate},
		{"backwards", "2026-11-10", "2026-11-01", Period{}, ErrEndsBefore},
		{"in the future", "2026-11-23", "2026-11-30", Period{}, ErrInTheFuture},
		{"over two years", "2023-01-01", "2026-11-01", Period{}, ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CustomPeriod(tt.from, tt.to, now)
			if !errors.Is(err, tt.wantErr) || (err == nil && got != tt.want) {
				t.Errorf("CustomPeriod = %v, %v; want %v, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
	if p, err := CustomPeriod("2026-11-01", "2026-11-10", now); err != nil || p.Previous() != (Period{d(10, 22), d(11, 1)}) {
		t.Errorf("previous of 10 custom days = %v (error: %v)", p.Previous(), err)
	}
}
