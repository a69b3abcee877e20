package notify_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/notify"
	"github.com/advocacy-portal/portal/internal/webhook"
)

// fakeWebhookSettings is a notify.WebhookSettingsStore in memory.
type fakeWebhookSettings struct {
	urls  map[webhook.Target]string
	saves []map[webhook.Target]string
}

func (f *fakeWebhookSettings) WebhookURL(_ context.Context, t webhook.Target) (string, error) {
	return f.urls[t], nil
}

func (f *fakeWebhookSettings) SetWebhookURLs(_ context.Context, urls map[webhook.Target]string, _ int64) error {
	f.saves = append(f.saves, maps.Clone(urls))
	return nil
}

func (f *fakeWebhookSettings) WebhookDeliveries(context.Context, int) ([]webhook.Delivery, error) {
	return []webhook.Delivery{{ID: 1}}, nil
}

func (f *fakeWebhookSettings) WebhookDeliveryCounts(context.Context) (int, int, int, error) {
	return 1, 2, 3, nil
}

func TestWebhookSettingsSave(t *testing.T) {
	const slackURL = "https://hooks.slack.com/services/T0/B0/secret"
	configured := map[webhook.Target]string{webhook.Slack: slackURL}
	tests := []struct {
		name     string
		typed    map[webhook.Target]notify.WebhookChange
		wantSave map[webhook.Target]string // nil: nothing saved
		wantErrs []webhook.Target
	}{
		{"nothing typed keeps both", nil, nil, nil},
		{"a new URL, trimmed by the check", map[webhook.Target]notify.WebhookChange{webhook.Teams: {URL: "https://example.webhook.office.com/x"}},
			map[webhook.Target]string{webhook.Teams: "https://example.webhook.office.com/x"}, nil},
		{"removing one configured", map[webhook.Target]notify.WebhookChange{webhook.Slack: {Remove: true}},
			map[webhook.Target]string{webhook.Slack: ""}, nil},
		{"removing one not configured is nothing", map[webhook.Target]notify.WebhookChange{webhook.Teams: {Remove: true}}, nil, nil},
		{"a URL and remove", map[webhook.Target]notify.WebhookChange{webhook.Slack: {URL: slackURL, Remove: true}}, nil, []webhook.Target{webhook.Slack}},
		{"plain http", map[webhook.Target]notify.WebhookChange{webhook.Teams: {URL: "http://example.com/x"},
			webhook.Slack: {Remove: true}}, nil, []webhook.Target{webhook.Teams}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &fakeWebhookSettings{urls: configured}
			p, err := notify.NewWebhookSettings(store).Save(context.Background(), tt.typed, 1)
			if tt.wantErrs == nil {
				if err != nil {
					t.Fatal(err)
				}
				if (tt.wantSave == nil && len(store.saves) != 0) || (tt.wantSave != nil && (len(store.saves) != 1 || !maps.Equal(store.saves[0], tt.wantSave))) {
					t.Errorf("saved %v, want %v", store.saves, tt.wantSave)
				}
				return
			}
			problems, ok := errors.AsType[notify.WebhookErrors](err)
			if !ok || apperr.KindOf(err) != apperr.Invalid || len(problems) != len(tt.wantErrs) || len(store.saves) != 0 {
				t.Fatalf("Save = %v, saved %v; want invalid WebhookErrors on %v and nothing saved", err, store.saves, tt.wantErrs)
			}
			for _, target := range tt.wantErrs {
				if problems[target] == "" {
					t.Errorf("no problem for %s in %v", target, problems)
				}
			}
			if len(p.Webhooks) != len(webhook.Targets) || p.Pending != 1 || len(p.Deliveries) != 1 {
				t.Fatalf("page %+v, want every target and the deliveries, to show again", p)
			}
			for _, w := range p.Webhooks {
				if ch := tt.typed[w.Target]; w.URL != ch.URL || w.Remove != (ch.Remove && configured[w.Target] != "") {
					t.Errorf("%s shown as %+v, want as typed: %+v", w.Target, w, ch)
				}
				if w.Configured != webhook.RedactURL(configured[w.Target]) {
					t.Errorf("%s configured shown as %q, want it redacted", w.Target, w.Configured)
				}
			}
		})
	}
}

// fakeUnsubscribe is a notify.UnsubscribeStore that knows one token.
type fakeUnsubscribe struct{ off int }

var errUnknownToken = apperr.Sentinel(apperr.NotFound, "fake: not found", "")

func (f *fakeUnsubscribe) DigestUnsubscriber(_ context.Context, token string) (account.User, error) {
	if token != "7.good" {
		return account.User{}, fmt.Errorf("fake: token: %w", errUnknownToken)
	}
	return account.User{ID: 7}, nil
}

func (f *fakeUnsubscribe) UnsubscribeDigest(ctx context.Context, token string) (account.User, error) {
	u, err := f.DigestUnsubscriber(ctx, token)
	if err == nil {
		f.off++
	}
	return u, err
}

func TestUnsubscriber(t *testing.T) {
	store := &fakeUnsubscribe{}
	u := notify.NewUnsubscriber(store)
	ctx := context.Background()
	if p, err := u.Who(ctx, "7.good"); err != nil || p.ID != 7 || store.off != 0 {
		t.Errorf("Who = %+v, %v, turned off %d; want person 7 and nothing changed", p, err, store.off)
	}
	if p, err := u.Unsubscribe(ctx, "7.good"); err != nil || p.ID != 7 || store.off != 1 {
		t.Errorf("Unsubscribe = %+v, %v, turned off %d; want person 7's digest off", p, err, store.off)
	}
	for _, call := range []func(context.Context, string) (account.User, error){u.Who, u.Unsubscribe} {
		if _, err := call(ctx, "7.forged"); !errors.Is(err, notify.ErrBadUnsubscribeLink) ||
			apperr.MessageOf(err) != apperr.MessageOf(notify.ErrBadUnsubscribeLink) {
			t.Errorf("a forged token: %v, want ErrBadUnsubscribeLink with its message", err)
		}
	}
	if store.off != 1 {
		t.Errorf("turned off %d times, want once: a forged token changes nothing", store.off)
	}
}
