package notify_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/notify"
	"github.com/advocacy-portal/portal/internal/webhook"
)

func TestMessageQueuesEscapedPayloadsOnce(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	woken := 0
	hooks := &notify.Webhooks{Store: e.store, BaseURL: baseURL, Notify: func() { woken++ }}
	// No webhook configured: nothing is queued.
	if err := hooks.Message(ctx, "pause:1:start", "Programme paused", "x", baseURL+"/pause"); err != nil {
		t.Fatal(err)
	}
	if ds := e.deliveries(t); len(ds) != 0 || woken != 0 {
		t.Fatalf("without webhooks: %d deliveries, woken %d; want none", len(ds), woken)
	}

	e.setHook(t, webhook.Slack, "https://hooks.slack.example/services/T0/B0/secret")
	e.setHook(t, webhook.Teams, "https://teams.example/workflows/secret")
	text := "Scope: programme. Reason: " + nastyTitle
	for range 2 { // sent twice: queued once
		if err := hooks.Message(ctx, "pause:1:start", "Programme paused", text, baseURL+"/pause"); err != nil {
			t.Fatal(err)
		}
	}
	ds := e.deliveries(t)
	if len(ds) != 2 || woken != 1 {
		t.Fatalf("after two messages: %d deliveries, woken %d; want 2 and once", len(ds), woken)
	}
	byTarget := map[webhook.Target]webhook.Delivery{}
	for _, d := range ds {
		byTarget[d.Target] = d
		if want := "msg:pause:1:start:" + string(d.Target); d.DedupeKey != want {
			t.Errorf("dedupe key %q, want %q", d.DedupeKey, want)
		}
	}

	t.Run("slack", func(t *testing.T) {
		d := byTarget[webhook.Slack]
		var msg struct {
			Text   string `json:"text"`
			Blocks []struct {
				Type string `json:"type"`
				Text struct {
					Type, Text string
				} `json:"text"`
				Elements []struct {
					URL string `json:"url"`
				} `json:"elements"`
			} `json:"blocks"`
		}
		if err := json.Unmarshal(d.Payload, &msg); err != nil {
			t.Fatal(err)
		}
		if msg.Text != "Programme paused" || len(msg.Blocks) != 2 {
			t.Fatalf("payload %s", d.Payload)
		}
		section := msg.Blocks[0].Text.Text
		if strings.ContainsAny(strings.TrimPrefix(section, "*Programme paused*\n"), "<>") ||
			!strings.Contains(section, "&lt;!channel&gt;") || !strings.Contains(section, "&amp;") {
			t.Errorf("section not escaped for mrkdwn: %q", section)
		}
		if len(msg.Blocks[1].Elements) != 1 || msg.Blocks[1].Elements[0].URL != baseURL+"/pause" {
			t.Errorf("button: %s", d.Payload)
		}
	})

	t.Run("teams", func(t *testing.T) {
		d := byTarget[webhook.Teams]
		var msg struct {
			Type        string `json:"type"`
			Summary     string `json:"summary"`
			Attachments []struct {
				ContentType string `json:"contentType"`
				Content     struct {
					Type string `json:"type"`
					Body []struct {
						Type    string `json:"type"`
						Inlines []struct {
							Type, Text string
						} `json:"inlines"`
					} `json:"body"`
					Actions []struct {
						Type, URL string
					} `json:"actions"`
				} `json:"content"`
			} `json:"attachments"`
		}
		if err := json.Unmarshal(d.Payload, &msg); err != nil {
			t.Fatal(err)
		}
		if msg.Type != "message" || msg.Summary != "Programme paused" || len(msg.Attachments) != 1 {
			t.Fatalf("payload %s", d.Payload)
		}
		a := msg.Attachments[0]
		if a.ContentType != "application/vnd.microsoft.card.adaptive" || a.Content.Type != "AdaptiveCard" {
			t.Fatalf("not an Adaptive Card: %s", d.Payload)
		}
		var runs []string
		for _, b := range a.Content.Body {
			if b.Type != "RichTextBlock" {
				t.Errorf("body block %q, want RichTextBlock (no Markdown)", b.Type)
			}
			for _, in := range b.Inlines {
				runs = append(runs, in.Text)
			}
		}
		if len(runs) != 2 || runs[0] != "Programme paused" || runs[1] != text {
			t.Errorf("text runs %q, want title and text verbatim", runs)
		}
		if len(a.Content.Actions) != 1 || a.Content.Actions[0].Type != "Action.OpenUrl" || a.Content.Actions[0].URL != baseURL+"/pause" {
			t.Errorf("actions: %s", d.Payload)
		}
	})
}
