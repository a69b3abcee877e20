package reach

// The dashboards' formulas, as PRODUCT.md defines them. They work on
// counts the store adds up and know nothing of where the counts came from.

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/share"
)

// Money is an amount in ten-thousandths of a currency unit, so that costs
// per click such as 0.0125 stay exact and sums never drift as floats do.
type Money int64

// moneyScale is how many Money make one currency unit.
const moneyScale = 10_000

// maxCostPerClick bounds what a cost per click may be.
const maxCostPerClick = Money(100_000 * moneyScale)

// Errors ParseMoney returns, of kind apperr.Invalid.
var (
	ErrNotMoney      = apperr.Sentinel(apperr.Invalid, "not an amount of money", "Enter an amount such as 0.85, or leave it empty.")
	ErrNegativeMoney = apperr.Sentinel(apperr.Invalid, "a negative amount", "A cost per click cannot be negative.")
	ErrTooPrecise    = apperr.Sentinel(apperr.Invalid, "more than four decimal places", "Use at most four decimals, such as 0.0125.")
	ErrTooMuchMoney  = apperr.Sentinel(apperr.Invalid, "an amount over 100000", "Enter at most 100000.")
)

// ParseMoney reads a cost per click typed by a person: digits with an
// optional decimal point or comma and at most four decimals, not negative
// and at most 100000. An empty string is zero.
func ParseMoney(s string) (Money, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if strings.HasPrefix(s, "-") {
		if _, err := ParseMoney(s[1:]); err == nil {
			return 0, ErrNegativeMoney
		}
		return 0, ErrNotMoney
	}
	whole, frac, _ := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if whole == "" && frac == "" || !digits(whole) || !digits(frac) {
		return 0, ErrNotMoney
	}
	if len(frac) > 4 {
		return 0, ErrTooPrecise
	}
	if len(strings.TrimLeft(whole, "0")) > 6 {
		return 0, ErrTooMuchMoney
	}
	var m Money
	if whole != "" {
		w, err := strconv.ParseInt(whole, 10, 64)
		if err != nil {
			return 0, ErrNotMoney
		}
		m = Money(w) * moneyScale
	}
	if frac != "" {
		f, err := strconv.ParseInt(frac+strings.Repeat("0", 4-len(frac)), 10, 64)
		if err != nil {
			return 0, ErrNotMoney
		}
		m += Money(f)
	}
	if m > maxCostPerClick {
		return 0, ErrTooMuchMoney
	}
	return m, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// String is the amount with as many decimals as it needs, at least two:
// "0.85", "0.0125", "12.00". It is how costs per click are stored.
func (m Money) String() string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	frac := strings.TrimRight(fmt.Sprintf("%04d", int64(m%moneyScale)), "0")
	for len(frac) < 2 {
		frac += "0"
	}
	return fmt.Sprintf("%s%d.%s", sign, int64(m/moneyScale), frac)
}

// Cents is the amount rounded half away from zero to hundredths of the
// currency unit, for showing an earned media value.
func (m Money) Cents() int64 {
	if m < 0 {
		return -(-m).Cents()
	}
	return int64((m + moneyScale/200) / (moneyScale / 100))
}

// EMV is the earned media value of clicks: per network, its clicks times
// that network's cost per click; a network without a cost adds nothing.
func EMV(clicks map[share.Network]int64, costPerClick map[share.Network]Money) Money {
	var sum Money
	for n, c := range clicks {
		sum += Money(c) * costPerClick[n]
	}
	return sum
}

// CTR is the click-through rate, clicks / potential reach, as a fraction.
// ok is false when the potential reach is 0: there is no rate to show.
func CTR(clicks, potentialReach int64) (rate float64, ok bool) {
	if potentialReach <= 0 {
		return 0, false
	}
	return float64(clicks) / float64(potentialReach), true
}

// Delta is the change from prev to cur in percent of prev. ok is false
// when prev is 0, where a percentage means nothing.
func Delta(cur, prev int64) (percent float64, ok bool) {
	if prev == 0 {
		return 0, false
	}
	return float64(cur-prev) / float64(prev) * 100, true
}

// RateDelta is the change from the rate prev to the rate cur in percent
// of prev; ok is false when either rate is missing or prev is 0.
func RateDelta(cur float64, curOK bool, prev float64, prevOK bool) (percent float64, ok bool) {
	if !curOK || !prevOK || prev == 0 {
		return 0, false
	}
	return (cur - prev) / prev * 100, true
}

// Points is a person's leaderboard points: the points their shares
// earned (share.Network.Points for each share within the share cadence,
// as the store adds them up) plus one per click on their links.
func Points(pointShares, clicks int64) int64 { return pointShares + clicks }

// Ranks gives competition ranks ("1224") to points sorted from most to
// fewest: equal points share a rank and the next rank skips past them.
func Ranks(points []int64) []int {
	ranks := make([]int, len(points))
	for i, p := range points {
		if i > 0 && p == points[i-1] {
			ranks[i] = ranks[i-1]
		} else {
			ranks[i] = i + 1
		}
	}
	return ranks
}

// Period is a span of whole UTC days: From is the first day's midnight and
// To the midnight after the last day.
type Period struct {
	From, To time.Time
}

// Day is t's UTC day at midnight.
func Day(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

// LastDays is the n days up to and including today.
func LastDays(now time.Time, n int) Period {
	to := Day(now).AddDate(0, 0, 1)
	return Period{From: to.AddDate(0, 0, -n), To: to}
}

// ThisMonth is the current UTC month up to and including today.
func ThisMonth(now time.Time) Period {
	today := Day(now)
	return Period{From: time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC), To: today.AddDate(0, 0, 1)}
}

// Days is how many days the period covers.
func (p Period) Days() int { return int(p.To.Sub(p.From).Hours()/24 + 0.5) }

// Previous is the period of the same length just before p, to compare with.
func (p Period) Previous() Period {
	return Period{From: p.From.AddDate(0, 0, -p.Days()), To: p.From}
}

// Last is the period's last day.
func (p Period) Last() time.Time { return p.To.AddDate(0, 0, -1) }

// MaxCustomDays bounds a period people choose by dates.
const MaxCustomDays = 731

// Errors CustomPeriod returns, of kind apperr.Invalid.
var (
	ErrBadDate     = apperr.Sentinel(apperr.Invalid, "a date is not YYYY-MM-DD", "Type both dates as YYYY-MM-DD, like 2026-01-31.")
	ErrEndsBefore  = apperr.Sentinel(apperr.Invalid, "the period ends before it starts", "The period ends before it starts: swap the dates.")
	ErrTooLong     = apperr.Sentinel(apperr.Invalid, "the period is longer than two years", "Choose a period of at most two years.")
	ErrInTheFuture = apperr.Sentinel(apperr.Invalid, "the period starts in the future",
		"The period starts in the future: choose a start date up to today.")
)

// CustomPeriod is the days from the day from to the day to, both included,
// given as YYYY-MM-DD; it may not start after today or run over two years.
func CustomPeriod(from, to string, now time.Time) (Period, error) {
	f, err1 := time.Parse(time.DateOnly, strings.TrimSpace(from))
	t, err2 := time.Parse(time.DateOnly, strings.TrimSpace(to))
	if err1 != nil || err2 != nil {
		return Period{}, ErrBadDate
	}
	p := Period{From: f, To: t.AddDate(0, 0, 1)}
	switch {
	case t.Before(f):
		return p, ErrEndsBefore
	case f.After(Day(now)):
		return p, ErrInTheFuture
	case p.Days() > MaxCustomDays:
		return p, ErrTooLong
	}
	return p, nil
}
