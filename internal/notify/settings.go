package notify

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/webhook"
)

// WebhookSettingsStore is what WebhookSettings needs of storage; the store
// implements it.
type WebhookSettingsStore interface {
	// WebhookURL returns the URL configured for target, or "" if there is
	// none. The URL is a secret.
	WebhookURL(ctx context.Context, target webhook.Target) (string, error)
	// SetWebhookURLs configures, in one transaction, the URL of each
	// target in urls ("" removes it), retargeting its unsent deliveries,
	// each change audit-logged with the URLs redacted.
	SetWebhookURLs(ctx context.Context, urls map[webhook.Target]string, actorID int64) error
	// WebhookDeliveries returns up to limit deliveries, newest first.
	WebhookDeliveries(ctx context.Context, limit int) ([]webhook.Delivery, error)
	// WebhookDeliveryCounts counts the deliveries waiting, sent, and
	// waiting after a failed attempt.
	WebhookDeliveryCounts(ctx context.Context) (pending, sent, failing int, err error)
}

// WebhookSettings runs the admins' page of the Slack and Teams webhooks.
// It is safe for concurrent use if its store is.
type WebhookSettings struct{ store WebhookSettingsStore }

// NewWebhookSettings returns WebhookSettings over store.
func NewWebhookSettings(store WebhookSettingsStore) *WebhookSettings {
	return &WebhookSettings{store: store}
}

// DeliveriesShown is how many of the latest deliveries the page lists.
const DeliveriesShown = 100

// WebhookState is one target's webhook on the page: what is configured,
// redacted (the URL is a secret and is never shown again), and, after a
// refused save, what the admin asked for.
type WebhookState struct {
	Target     webhook.Target
	Configured string // redacted (webhook.RedactURL); "" when none is set
	URL        string // as typed
	Remove     bool   // the admin asked to remove the configured URL
}

// WebhookPage is the admins' page of webhooks: each target's, in the
// order of webhook.Targets, and the latest deliveries.
type WebhookPage struct {
	Webhooks               []WebhookState
	Deliveries             []webhook.Delivery // the latest DeliveriesShown, newest first
	Pending, Sent, Failing int
}

// Page returns the page as it stands.
func (w *WebhookSettings) Page(ctx context.Context) (WebhookPage, error) {
	states, err := w.states(ctx)
	if err != nil {
		return WebhookPage{}, err
	}
	return w.page(ctx, states)
}

func (w *WebhookSettings) states(ctx context.Context) ([]WebhookState, error) {
	var out []WebhookState
	for _, t := range webhook.Targets {
		u, err := w.store.WebhookURL(ctx, t)
		if err != nil {
			return nil, err
		}
		out = append(out, WebhookState{Target: t, Configured: webhook.RedactURL(u)})
	}
	return out, nil
}

func (w *WebhookSettings) page(ctx context.Context, states []WebhookState) (WebhookPage, error) {
	p := WebhookPage{Webhooks: states}
	var err error
	if p.Deliveries, err = w.store.WebhookDeliveries(ctx, DeliveriesShown); err != nil {
		return p, err
	}
	p.Pending, p.Sent, p.Failing, err = w.store.WebhookDeliveryCounts(ctx)
	return p, err
}

// WebhookChange is what an admin typed for one target: a new URL, or the
// configured one to be removed.
type WebhookChange struct {
	URL    string // trimmed by the caller; "" keeps the configured one
	Remove bool
}

// WebhookErrors say what is wrong with the webhooks typed, by target; as
// an error its kind is apperr.Invalid.
type WebhookErrors map[webhook.Target]string

func (e WebhookErrors) Error() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(e)) {
		parts = append(parts, string(k)+": "+e[k])
	}
	return "notify: invalid webhooks: " + strings.Join(parts, "; ")
}

// Kind is apperr.Invalid.
func (e WebhookErrors) Kind() apperr.Kind { return apperr.Invalid }

// UserMessage is what the user is told when no form shows the fields.
func (e WebhookErrors) UserMessage() string { return "Some fields need attention. Nothing was saved." }

// Save sets or removes webhook URLs: a URL typed for a target replaces
// its current one (it must pass CheckWebhookURL); no URL keeps it; Remove
// clears it, if one is configured. If any target is wrong nothing is saved
// and it returns WebhookErrors with the page as typed, to show again.
// The changes are stored in one transaction, each audit-logged (redacted).
func (w *WebhookSettings) Save(ctx context.Context, typed map[webhook.Target]WebhookChange, actorID int64) (WebhookPage, error) {
	states, err := w.states(ctx)
	if err != nil {
		return WebhookPage{}, err
	}
	errs := WebhookErrors{}
	urls := map[webhook.Target]string{}
	for i := range states {
		st := &states[i]
		ch := typed[st.Target]
		st.URL, st.Remove = ch.URL, st.Configured != "" && ch.Remove
		switch {
		case st.URL != "" && st.Remove:
			errs[st.Target] = "Either paste a new URL or remove the webhook, not both."
		case st.URL != "":
			u, problem := CheckWebhookURL(st.URL)
			if problem != "" {
				errs[st.Target] = problem
			}
			urls[st.Target] = u
		case st.Remove:
			urls[st.Target] = ""
		}
	}
	if len(errs) > 0 {
		p, err := w.page(ctx, states)
		if err != nil {
			return p, err
		}
		return p, errs
	}
	if len(urls) == 0 {
		return WebhookPage{}, nil
	}
	return WebhookPage{}, w.store.SetWebhookURLs(ctx, urls, actorID)
}

// UnsubscribeStore is what Unsubscriber needs of storage; the store
// implements it. A token the portal did not make, or one of a person no
// longer in the portal, is an error of kind apperr.NotFound.
type UnsubscribeStore interface {
	// DigestUnsubscriber returns the person a digest unsubscribe token
	// names.
	DigestUnsubscriber(ctx context.Context, token string) (account.User, error)
	// UnsubscribeDigest turns off the digest of the person token names and
	// returns them.
	UnsubscribeDigest(ctx context.Context, token string) (account.User, error)
}

// ErrBadUnsubscribeLink is an unsubscribe link the portal did not make (or
// of someone no longer in it).
var ErrBadUnsubscribeLink = apperr.Sentinel(apperr.NotFound, "notify: bad unsubscribe token",
	"This link does not turn off any digest: it is incomplete or was not made by this portal. You can turn the digest off on your profile.")

// Unsubscriber answers the digest's one-click unsubscribe links (RFC
// 8058), which work without a session: the token is the proof. It is safe
// for concurrent use if its store is.
type Unsubscriber struct{ store UnsubscribeStore }

// NewUnsubscriber returns an Unsubscriber over store.
func NewUnsubscriber(store UnsubscribeStore) *Unsubscriber { return &Unsubscriber{store: store} }

// Who returns the person token names, changing nothing: mail scanners and
// link previews open links before people do. A bad token is
// ErrBadUnsubscribeLink.
func (u *Unsubscriber) Who(ctx context.Context, token string) (account.User, error) {
	p, err := u.store.DigestUnsubscriber(ctx, token)
	return p, badLink(err)
}

// Unsubscribe turns the digest off for the person token names and returns
// them; doing it twice is harmless. A bad token is ErrBadUnsubscribeLink
// and changes nothing.
func (u *Unsubscriber) Unsubscribe(ctx context.Context, token string) (account.User, error) {
	p, err := u.store.UnsubscribeDigest(ctx, token)
	return p, badLink(err)
}

func badLink(err error) error {
	if apperr.KindOf(err) == apperr.NotFound {
		return fmt.Errorf("notify: %w: %w", ErrBadUnsubscribeLink, err)
	}
	return err
}
