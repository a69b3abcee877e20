// Package privacy builds the copy of their own data that a person
// downloads from the portal: one document with their profile, training
// record, shares and the reach of their links, written as JSON or as CSV
// files (one per section, or all of them in a zip). Its Service
// (service.go) runs that download and an admin's erasure of a departed
// person's data over a Repository the store implements.
package privacy

import (
	"archive/zip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
)

// Export is the download. Its JSON form is what the field tags say; times
// are RFC 3339 in UTC, and a time that never happened is left out.
type Export struct {
	GeneratedAt string   `json:"generated_at"`
	About       string   `json:"about"`
	Profile     Profile  `json:"profile"`
	Training    Training `json:"training"`
	Shares      []Share  `json:"shares"`
	Reach       []Reach  `json:"reach"`
}

// about explains the document to whoever opens it.
const about = "Everything the advocacy portal keeps about you: your profile from the identity provider and your own settings, " +
	"your code of conduct acknowledgements (with the IP address kept as evidence) and quiz attempts, your shares, and the " +
	"clicks and visitors on your tracked links as counted per day. Clicks are counted without the visitor's IP address or user agent."

// Profile is who the person is to the portal and what they told it.
type Profile struct {
	ID                int64          `json:"id"`
	Name              string         `json:"name"`
	Email             string         `json:"email"`
	Issuer            string         `json:"identity_provider_issuer,omitempty"`
	Subject           string         `json:"identity_provider_subject,omitempty"`
	ExternalID        string         `json:"directory_external_id,omitempty"`
	GivenName         string         `json:"given_name,omitempty"`
	FamilyName        string         `json:"family_name,omitempty"`
	Department        string         `json:"department"`
	Language          string         `json:"language"`
	LanguageChosen    bool           `json:"language_chosen"`
	TimeZone          string         `json:"time_zone"`
	Digest            string         `json:"digest"`
	LeaderboardOptOut bool           `json:"leaderboard_opt_out"`
	MastodonInstance  string         `json:"mastodon_instance"`
	Followers         map[string]int `json:"followers"` // per network, as declared
	Roles             []Role         `json:"roles"`
	Groups            []Group        `json:"groups"`
	Active            bool           `json:"active"`
	CreatedAt         string         `json:"created_at,omitempty"`
	LastLoginAt       string         `json:"last_sign_in_at,omitempty"`
}

// Role is a role and where it comes from.
type Role struct {
	Role   string `json:"role"`
	Source string `json:"source"` // "identity provider" or "granted in the portal"
}

// Group is a group the person is in.
type Group struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Source   string `json:"source"`
	JoinedAt string `json:"joined_at,omitempty"`
}

// Training is the person's code of conduct and quiz record.
type Training struct {
	Acknowledgements []Acknowledgement `json:"acknowledgements"`
	Attempts         []Attempt         `json:"attempts"`
}

// Acknowledgement is the evidence that the person acknowledged a version
// of the code of conduct.
type Acknowledgement struct {
	Version        string `json:"version"`
	ContentHash    string `json:"content_hash"`
	AcknowledgedAt string `json:"acknowledged_at"`
	IPAddress      string `json:"ip_address"`
}

// Attempt is one quiz attempt's outcome.
type Attempt struct {
	Module       string `json:"module"`
	ModuleHash   string `json:"module_hash"`
	Language     string `json:"language"`
	Correct      int    `json:"correct"`
	Total        int    `json:"total"`
	ScorePercent int    `json:"score_percent"`
	Passed       bool   `json:"passed"`
	StartedAt    string `json:"started_at"`
	SubmittedAt  string `json:"submitted_at,omitempty"` // missing while in progress
}

// Share is one time the person opened a network's share page for a post.
type Share struct {
	PostID      int64  `json:"post_id"`
	PostTitle   string `json:"post_title"`
	Network     string `json:"network"`
	LinkCode    string `json:"link_code"`
	SharedAt    string `json:"shared_at"`
	Followers   int    `json:"followers"` // declared for the network at the time
	Confirmed   bool   `json:"confirmed"` // they said "I posted it"
	ConfirmedAt string `json:"confirmed_at,omitempty"`
}

// Reach is what one tracked link brought in, from the daily counts.
type Reach struct {
	LinkCode  string `json:"link_code"`
	PostID    int64  `json:"post_id"`
	PostTitle string `json:"post_title"`
	Network   string `json:"network"`
	CreatedAt string `json:"created_at"`
	Shares    int    `json:"shares"`
	Clicks    int64  `json:"clicks"`
	Visitors  int64  `json:"visitors"` // distinct visitors per day, summed over the days
}

// New builds the export of d, generated at now.
func New(d PersonalData, now time.Time) Export {
	u := d.User
	e := Export{GeneratedAt: stamp(now), About: about,
		Profile: Profile{ID: u.ID, Name: u.Name, Email: u.Email, Issuer: d.Issuer, Subject: d.Subject,
			ExternalID: d.ExternalID, GivenName: d.GivenName, FamilyName: d.FamilyName, Department: u.Department,
			Language: u.Language, LanguageChosen: u.LanguageChosen, TimeZone: u.TimeZone, Digest: string(d.Profile.Digest),
			LeaderboardOptOut: d.Profile.LeaderboardOptOut, MastodonInstance: u.MastodonInstance,
			Followers: d.Profile.Followers, Roles: []Role{}, Groups: []Group{}, Active: u.Active,
			CreatedAt: stamp(u.CreatedAt), LastLoginAt: stamp(u.LastLoginAt)},
		Training: Training{Acknowledgements: []Acknowledgement{}, Attempts: []Attempt{}},
		Shares:   []Share{}, Reach: []Reach{},
	}
	if e.Profile.Followers == nil {
		e.Profile.Followers = map[string]int{}
	}
	for _, r := range d.Roles {
		e.Profile.Roles = append(e.Profile.Roles, Role{Role: string(r.Role), Source: roleSource(r.Source)})
	}
	for _, g := range d.Groups {
		e.Profile.Groups = append(e.Profile.Groups, Group{Name: g.Name, Kind: string(g.Kind), Source: g.Source, JoinedAt: stamp(g.JoinedAt)})
	}
	for _, a := range d.Acknowledgements {
		e.Training.Acknowledgements = append(e.Training.Acknowledgements, Acknowledgement{Version: a.Version,
			ContentHash: a.ContentHash, AcknowledgedAt: stamp(a.CreatedAt), IPAddress: a.ClientIP})
	}
	for _, a := range d.Attempts {
		pct := 0
		if a.Total > 0 {
			pct = a.Correct * 100 / a.Total
		}
		e.Training.Attempts = append(e.Training.Attempts, Attempt{Module: a.ModuleID, ModuleHash: a.ModuleHash,
			Language: a.Language, Correct: a.Correct, Total: a.Total, ScorePercent: pct, Passed: a.Passed,
			StartedAt: stamp(a.StartedAt), SubmittedAt: stamp(a.SubmittedAt)})
	}
	for _, s := range d.Shares {
		e.Shares = append(e.Shares, Share{PostID: s.PostID, PostTitle: s.PostTitle, Network: string(s.Network),
			LinkCode: s.Code, SharedAt: stamp(s.At), Followers: s.Followers, Confirmed: !s.ConfirmedAt.IsZero(),
			ConfirmedAt: stamp(s.ConfirmedAt)})
	}
	for _, l := range d.Links {
		e.Reach = append(e.Reach, Reach{LinkCode: l.Code, PostID: l.PostID, PostTitle: l.PostTitle, Network: string(l.Network),
			CreatedAt: stamp(l.CreatedAt), Shares: l.Shares, Clicks: l.Clicks, Visitors: l.Visitors})
	}
	return e
}

func roleSource(s string) string {
	if s == account.SourceManual {
		return "granted in the portal"
	}
	return "identity provider"
}

// stamp formats t as RFC 3339 in UTC, or "" for the zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// WriteJSON writes the export as indented JSON.
func (e Export) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(e); err != nil {
		return fmt.Errorf("privacy: write JSON: %w", err)
	}
	return nil
}

// Sections are the CSV files of an export, in the order the zip holds them.
var Sections = []string{"profile", "acknowledgements", "attempts", "shares", "reach"}

// ErrUnknownSection is returned, wrapped, for a section not in Sections.
// Its kind is apperr.Invalid.
var ErrUnknownSection = apperr.Sentinel(apperr.Invalid, "unknown section",
	"There is no such section. Choose profile, acknowledgements, attempts, shares or reach.")

// WriteCSV writes one section (see Sections) as CSV with a header row.
// Cells that a spreadsheet would run as a formula are prefixed with '.
func (e Export) WriteCSV(w io.Writer, section string) error {
	rows, err := e.table(section)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	for _, row := range rows {
		for i := range row {
			row[i] = cell(row[i])
		}
		cw.Write(row)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("privacy: write %s CSV: %w", section, err)
	}
	return nil
}

// WriteZip writes every section as <section>.csv into one zip archive.
func (e Export) WriteZip(w io.Writer, modified time.Time) error {
	zw := zip.NewWriter(w)
	for _, section := range Sections {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: section + ".csv", Method: zip.Deflate, Modified: modified})
		if err != nil {
			return fmt.Errorf("privacy: write zip: %w", err)
		}
		if err := e.WriteCSV(f, section); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("privacy: write zip: %w", err)
	}
	return nil
}

// table is a section as rows, the header first.
func (e Export) table(section string) ([][]string, error) {
	itoa := strconv.Itoa
	switch section {
	case "profile":
		p := e.Profile
		rows := [][]string{{"field", "value"},
			{"id", strconv.FormatInt(p.ID, 10)}, {"name", p.Name}, {"email", p.Email},
			{"identity_provider_issuer", p.Issuer}, {"identity_provider_subject", p.Subject}, {"directory_external_id", p.ExternalID}, {"given_name", p.GivenName},
			{"family_name", p.FamilyName}, {"department", p.Department}, {"language", p.Language},
			{"language_chosen", yesNo(p.LanguageChosen)}, {"time_zone", p.TimeZone}, {"digest", p.Digest},
			{"leaderboard_opt_out", yesNo(p.LeaderboardOptOut)}, {"mastodon_instance", p.MastodonInstance},
			{"active", yesNo(p.Active)}, {"created_at", p.CreatedAt}, {"last_sign_in_at", p.LastLoginAt}}
		for _, n := range slices.Sorted(maps.Keys(p.Followers)) {
			rows = append(rows, []string{"followers:" + n, itoa(p.Followers[n])})
		}
		for _, r := range p.Roles {
			rows = append(rows, []string{"role", r.Role + " (" + r.Source + ")"})
		}
		for _, g := range p.Groups {
			rows = append(rows, []string{"group", strings.TrimSpace(g.Name + " (" + g.Kind + ", " + g.Source + ") " + g.JoinedAt)})
		}
		return rows, nil
	case "acknowledgements":
		rows := [][]string{{"version", "content_hash", "acknowledged_at", "ip_address"}}
		for _, a := range e.Training.Acknowledgements {
			rows = append(rows, []string{a.Version, a.ContentHash, a.AcknowledgedAt, a.IPAddress})
		}
		return rows, nil
	case "attempts":
		rows := [][]string{{"module", "module_hash", "language", "correct", "total", "score_percent", "passed", "started_at", "submitted_at"}}
		for _, a := range e.Training.Attempts {
			rows = append(rows, []string{a.Module, a.ModuleHash, a.Language, itoa(a.Correct), itoa(a.Total),
				itoa(a.ScorePercent), yesNo(a.Passed), a.StartedAt, a.SubmittedAt})
		}
		return rows, nil
	case "shares":
		rows := [][]string{{"post_id", "post_title", "network", "link_code", "shared_at", "followers", "confirmed", "confirmed_at"}}
		for _, s := range e.Shares {
			rows = append(rows, []string{strconv.FormatInt(s.PostID, 10), s.PostTitle, s.Network, s.LinkCode, s.SharedAt,
				itoa(s.Followers), yesNo(s.Confirmed), s.ConfirmedAt})
		}
		return rows, nil
	case "reach":
		rows := [][]string{{"link_code", "post_id", "post_title", "network", "created_at", "shares", "clicks", "visitors"}}
		for _, r := range e.Reach {
			rows = append(rows, []string{r.LinkCode, strconv.FormatInt(r.PostID, 10), r.PostTitle, r.Network, r.CreatedAt,
				itoa(r.Shares), strconv.FormatInt(r.Clicks, 10), strconv.FormatInt(r.Visitors, 10)})
		}
		return rows, nil
	}
	return nil, fmt.Errorf("privacy: %w %q", ErrUnknownSection, section)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// cell keeps a spreadsheet from running a value as a formula.
func cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
