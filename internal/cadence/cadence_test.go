package cadence

import (
	"math"
	"testing"
	"time"
)

func TestDecide(t *testing.T) {
	tests := []struct {
		name   string
		rule   Rule
		shared int
		want   Decision
	}{
		{"no limit", Rule{}, 50, Allow},
		{"under", Rule{Limit: 3}, 2, Allow},
		{"at limit asks", Rule{Limit: 3}, 3, Ask},
		{"at hard cap refuses", Rule{Limit: 3, Hard: true}, 3, Refuse},
		{"under hard cap", Rule{Limit: 3, Hard: true}, 0, Allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rule.Decide(tt.shared); got != tt.want {
				t.Errorf("Decide(%d) = %v, want %v", tt.shared, got, tt.want)
			}
		})
	}
}

func TestWithinLimitAndDayStart(t *testing.T) {
	r := Rule{Limit: 2}
	if !r.WithinLimit(2) || r.WithinLimit(3) || !(Rule{}).WithinLimit(99) {
		t.Error("WithinLimit wrong")
	}
	for _, r := range []Rule{{Limit: 2}, {Limit: 1, Hard: true}, {}, {Limit: -1}} {
		last := r.LastWithinLimit()
		if !r.WithinLimit(last) || (last < math.MaxInt && r.WithinLimit(last+1)) || (r.Limit <= 0 && last != math.MaxInt) {
			t.Errorf("%+v: LastWithinLimit() = %d, not the last n WithinLimit accepts", r, last)
		}
		for shared := range 5 {
			if allowed := r.Decide(shared) == Allow; allowed != r.WithinLimit(shared+1) {
				t.Errorf("%+v: Decide(%d) allows %v, but WithinLimit(%d) = %v", r, shared, allowed, shared+1, !allowed)
			}
		}
	}
	at := time.Date(2026, 11, 5, 23, 30, 0, 0, time.FixedZone("x", -2*3600))
	if got, want := DayStart(at), time.Date(2026, 11, 6, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("DayStart = %v, want %v", got, want)
	}
}
