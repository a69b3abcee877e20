// Package demo is the demo company: the people the demo identity provider
// offers, and the data a fresh demo portal starts with.
//
// Seed writes through *store.Store itself: like cmd/portal, demo is wiring
// that drives the use cases of several domains (accounts, groups, training,
// posts) to fill a fresh database, not a domain package or a job, so it
// declares no interface of its own.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/demoidp"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/internal/training"
)

// People are the demo company's staff, at least one per role. Their groups
// map to portal roles through auth.DefaultRoleMap.
func People() []demoidp.Person {
	return []demoidp.Person{
		{Subject: "demo-sam", Email: "sam.patel@demo.example", Name: "Sam Patel", Department: "Sales",
			Title: "Sales engineer · employee", Groups: []string{"Sales"}},
		{Subject: "demo-noor", Email: "noor.devries@demo.example", Name: "Noor de Vries", Department: "Customer Success",
			Title: "Support specialist · employee", Groups: []string{"Customer Success"}},
		{Subject: "demo-hannah", Email: "hannah.okafor@demo.example", Name: "Hannah Okafor", Department: "People",
			Title: "HR business partner · hr", Groups: []string{"People", "portal-hr"}},
		{Subject: "demo-carlos", Email: "carlos.mendes@demo.example", Name: "Carlos Mendes", Department: "Marketing",
			Title: "Communications lead · comms", Groups: []string{"Marketing", "portal-comms"}},
		{Subject: "demo-mei", Email: "mei.lin@demo.example", Name: "Mei Lin", Department: "Marketing",
			Title: "Content editor · comms", Groups: []string{"Marketing", "portal-comms"}},
		{Subject: "demo-alex", Email: "alex.kowalski@demo.example", Name: "Alex Kowalski", Department: "IT",
			Title: "IT administrator · admin", Groups: []string{"IT", "portal-admins"}},
	}
}

// ProviderSlug is the sign-in provider slug the demo people sign in through.
const ProviderSlug = "demo"

// Issuer is the issuer the demo people's identities are kept under. The
// demo provider's own issuer URL changes with the port it gets, so the
// portal keeps its identities under this fixed name instead.
const Issuer = "urn:advocacy-portal:demo-idp"

// Seed loads the demo company into an empty store: its people (as if they
// had been provisioned from the demo identity provider), department groups,
// the code of conduct programme (modules) assigned by HR to Sales and
// Customer Success, and a few posts in different states. It does nothing if
// any user exists.
func Seed(ctx context.Context, s *store.Store, roles auth.RoleMap, programme []string, now time.Time) error {
	n, err := s.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	ids := map[string]int64{}
	for _, p := range People() {
		id, err := roles.Identity(ProviderSlug, auth.Claims{Issuer: Issuer, Subject: p.Subject, Email: p.Email, EmailVerified: true, Name: p.Name,
			Department: p.Department, Groups: p.Groups})
		if err != nil {
			return fmt.Errorf("demo: %s: %w", p.Name, err)
		}
		u, err := s.Provision(ctx, id)
		if err != nil {
			return err
		}
		ids[p.Subject] = u.ID
		g, err := s.EnsureGroup(ctx, p.Department, account.Department)
		if err != nil {
			return err
		}
		if err := s.AddToGroup(ctx, g, u.ID, account.SourceManual, 0); err != nil {
			return err
		}
	}
	groups, err := s.Groups(ctx)
	if err != nil {
		return err
	}
	groupIDs := map[string]int64{}
	for _, g := range groups {
		groupIDs[g.Name] = g.ID
	}
	for _, g := range groups {
		if g.Name != "Sales" && g.Name != "Customer Success" {
			continue
		}
		if _, err := s.CreateAssignment(ctx, training.Assignment{Modules: programme, Programme: true, GroupID: g.ID,
			DueAt: now.Add(14 * 24 * time.Hour), DueDays: 14}, ids["demo-hannah"]); err != nil {
			return fmt.Errorf("demo: assign the programme to %s: %w", g.Name, err)
		}
	}
	carlos, mei := ids["demo-carlos"], ids["demo-mei"]
	rotterdam, err := s.CreateCampaign(ctx, post.Campaign{Name: "Rotterdam opening", GoalClicks: 500}, carlos)
	if err != nil {
		return err
	}
	hiring, err := s.CreateCampaign(ctx, post.Campaign{Name: "Hiring Q4", GoalClicks: 300}, mei)
	if err != nil {
		return err
	}
	posts := []struct {
		in       post.Input
		author   int64
		reviewer int64
		steps    []post.Action
	}{
		{post.Input{Title: "We opened our new office in Rotterdam", URL: "https://example.com/news/rotterdam-office",
			Suggestions: []post.Suggestion{
				{Text: "Our new Rotterdam office is open: more room for the support team and a café downstairs. Come and say hello! (I work here.)"},
				{Network: "x", Text: "Our Rotterdam office is open, café downstairs included. Come and say hello! (I work here)"},
				{Network: "linkedin", Text: "Proud to share that our new Rotterdam office is open. More room for the support team, a café downstairs, and a lot of light. If you are nearby, come and say hello. (I work at the company.)"},
			},
			Hashtags: "#Rotterdam #employee", Category: string(post.CompanyNews), Campaign: fmt.Sprint(rotterdam)}, carlos, mei, []post.Action{post.Submit, post.Approve}},
		{post.Input{Title: "Five lessons from a year of remote onboarding", URL: "https://example.com/blog/remote-onboarding",
			Suggestions: []post.Suggestion{{Text: "What we learned from welcoming 40 new colleagues without meeting them in person first."}},
			Hashtags:    "#onboarding", Category: string(post.Culture)}, mei, carlos, []post.Action{post.Submit, post.Approve}},
		{post.Input{Title: "Klantenservice nu ook op zaterdag bereikbaar", URL: "https://example.com/nl/nieuws/zaterdag",
			Suggestions: []post.Suggestion{{Text: "Vanaf deze maand helpen we klanten ook op zaterdag. Ik werk er zelf aan mee!"}},
			Language:    "nl", Category: string(post.CompanyNews), Groups: []string{fmt.Sprint(groupIDs["Customer Success"])}}, carlos, mei,
			[]post.Action{post.Submit, post.Approve}},
		{post.Input{Title: "Save the date: our customer day in March", URL: "https://example.com/events/customer-day",
			Suggestions: []post.Suggestion{{Text: "Our customer day is back in March. Save the date!"}},
			PublishAt:   now.Add(3 * 24 * time.Hour).UTC().Format(post.DateTimeLayout), Category: string(post.Product)}, mei, carlos,
			[]post.Action{post.Submit, post.Approve}},
		{post.Input{Title: "We are hiring support engineers", URL: "https://example.com/jobs/support-engineer",
			Suggestions: []post.Suggestion{{Text: "Know someone who loves solving hard problems for customers? We are hiring in Rotterdam and remote."}},
			Hashtags:    "#hiring", Category: string(post.Jobs), Campaign: fmt.Sprint(hiring)}, mei, carlos, []post.Action{post.Submit}},
		{post.Input{Title: "Industry report: what buyers expect in 2027", URL: "https://example.com/insights/buyers-2027",
			Category: string(post.IndustryInsight)}, carlos, mei, nil},
	}
	svc := post.NewService(s, post.Config{Policy: post.DefaultPolicy})
	for _, p := range posts {
		f, errs := p.in.Validate(now)
		if len(errs) > 0 {
			return fmt.Errorf("demo: post %q is invalid: %v", p.in.Title, errs)
		}
		created, err := svc.Create(ctx, post.Creation{Fields: f, AuthorID: p.author})
		if err != nil {
			return err
		}
		for _, a := range p.steps {
			actor := p.author
			if a == post.Approve {
				actor = p.reviewer
			}
			if _, err := svc.Transition(ctx, post.Step{PostID: created.ID, Action: a, ActorID: actor}); err != nil {
				return fmt.Errorf("demo: %s %q: %w", a, p.in.Title, err)
			}
		}
	}
	return nil
}
