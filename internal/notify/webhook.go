// Package notify tells people about new posts outside the portal: a
// message to Slack and Microsoft Teams channels (incoming webhooks set by
// admins) when a post goes live, and an email digest of new posts, daily
// or weekly as each person chose.
//
// Both only queue work in the database: webhook deliveries are sent by
// Worker, retried until the webhook accepts them; digests are queued in
// the mail outbox, which the mail worker sends. Queued work carries a
// dedupe key, so running anything twice, or on two instances, sends
// nothing twice. The package knows nothing of HTTP handlers or views.
//
// settings.go holds the use cases around them: the admins' page of
// webhooks (WebhookSettings) and the digest's one-click unsubscribe links
// (Unsubscriber).
//
// A webhook URL is a secret (anyone holding it can post to the channel):
// nothing here logs it or records it in an error.
package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/webhook"
)

// WebhookStore is what Webhooks needs of storage: the configured webhook
// URLs and the queue of deliveries that Worker sends.
type WebhookStore interface {
	// WebhookURL returns the URL configured for target, or "" if there is
	// none. The URL is a secret.
	WebhookURL(ctx context.Context, target webhook.Target) (string, error)
	// EnqueueWebhookDeliveries queues deliveries, all or none, skipping
	// those whose DedupeKey was queued before, and returns how many it
	// queued.
	EnqueueWebhookDeliveries(ctx context.Context, deliveries []webhook.Delivery) (queued int, err error)
}

// Webhooks announces posts that went live to the configured webhooks.
// Set the fields before use and do not change them afterwards.
type Webhooks struct {
	Store   WebhookStore
	BaseURL string // the portal's public address, without a trailing slash
	Notify  func() // called after deliveries were queued, e.g. Worker.Wake; may be nil
}

// Announce queues one delivery per configured webhook per post, keyed
// "live:<post id>:<target>", so announcing a post again queues nothing.
// With no webhook configured it does nothing. It does not wait for the
// deliveries to be sent.
func (w *Webhooks) Announce(ctx context.Context, posts []post.Post) error {
	if len(posts) == 0 {
		return nil
	}
	var deliveries []webhook.Delivery
	for _, target := range webhook.Targets {
		hook, err := w.Store.WebhookURL(ctx, target)
		if err != nil {
			return fmt.Errorf("notify: announce: %w", err)
		}
		if hook == "" {
			continue
		}
		for _, p := range posts {
			payload, err := Payload(target, p, w.BaseURL)
			if err != nil {
				return fmt.Errorf("notify: announce post %d: %w", p.ID, err)
			}
			deliveries = append(deliveries, webhook.Delivery{Target: target, URL: hook, Payload: payload,
				DedupeKey: fmt.Sprintf("live:%d:%s", p.ID, target)})
		}
	}
	queued, err := w.Store.EnqueueWebhookDeliveries(ctx, deliveries)
	if err != nil {
		return fmt.Errorf("notify: announce: %w", err)
	}
	if queued > 0 && w.Notify != nil {
		w.Notify()
	}
	return nil
}

// maxWebhookURL bounds a webhook URL; real ones are a few hundred bytes.
const maxWebhookURL = 2000

// CheckWebhookURL checks an incoming-webhook URL an admin typed and
// returns it trimmed, or a problem to show beside the field. It must be an
// absolute https URL with a host and no user name, password or fragment.
// The problem never repeats the URL.
func CheckWebhookURL(s string) (webhookURL, problem string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "Paste the webhook URL."
	}
	if len(s) > maxWebhookURL {
		return "", fmt.Sprintf("A webhook URL is at most %d characters; check what you pasted.", maxWebhookURL)
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return "", "This is not a web address. Paste the whole webhook URL, starting with https://."
	case !strings.EqualFold(u.Scheme, "https"):
		return "", "The webhook URL must start with https:// so that messages are encrypted on the way."
	case u.User != nil:
		return "", "The webhook URL must not contain a user name or password."
	case u.Fragment != "":
		return "", "The webhook URL must not contain a # part."
	case strings.ContainsAny(s, " \t\r\n"):
		return "", "The webhook URL must not contain spaces."
	}
	return s, ""
}

// Payload is the JSON a webhook of target receives about post p going
// live: its title, a button to the portal's feed (where employees share
// with their tracked links) and one to the post's own link.
//
// Slack gets {"text", "blocks"}: the text (what notifications show) and a
// mrkdwn section with the title escaped for mrkdwn (&, <, >), and buttons.
//
// Teams gets a message with an Adaptive Card attachment (the format both
// Teams Workflows webhooks, which replace Office 365 connectors, and the
// older incoming webhooks accept; the legacy MessageCard is not used). The
// title goes in a RichTextBlock's TextRun, which Adaptive Cards render as
// plain text without Markdown, so no markup in a title can take effect;
// the fallback text and summary are plain text too.
func Payload(target webhook.Target, p post.Post, baseURL string) ([]byte, error) {
	feed := baseURL + "/feed"
	switch target {
	case webhook.Slack:
		return json.Marshal(slackPayload(p, feed))
	case webhook.Teams:
		return json.Marshal(teamsPayload(p, feed))
	}
	return nil, fmt.Errorf("unknown webhook target %q", target)
}

const (
	announceHeading = "New post to share"
	shareButton     = "Share it from the portal"
	readButton      = "Read the post"
)

// jsonObject is a JSON object; payloads are free-form JSON for services
// whose schemas we do not own.
type jsonObject = map[string]any

func slackPayload(p post.Post, feed string) jsonObject {
	title := SlackEscape(p.Title)
	section := "*" + announceHeading + "*\n" + title
	if link := slackLink(p.URL); link != "" {
		section = "*" + announceHeading + "*\n<" + link + "|" + title + ">"
	}
	buttons := []any{jsonObject{"type": "button", "text": plainText(shareButton), "url": feed, "style": "primary"}}
	if isWebLink(p.URL) {
		buttons = append(buttons, jsonObject{"type": "button", "text": plainText(readButton), "url": p.URL})
	}
	return jsonObject{
		"text": announceHeading + ": " + title,
		"blocks": []any{
			jsonObject{"type": "section", "text": jsonObject{"type": "mrkdwn", "text": section}},
			jsonObject{"type": "actions", "elements": buttons},
		},
	}
}

func plainText(s string) jsonObject { return jsonObject{"type": "plain_text", "text": s} }

func teamsPayload(p post.Post, feed string) jsonObject {
	actions := []any{jsonObject{"type": "Action.OpenUrl", "title": shareButton, "url": feed}}
	if isWebLink(p.URL) {
		actions = append(actions, jsonObject{"type": "Action.OpenUrl", "title": readButton, "url": p.URL})
	}
	card := jsonObject{
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
		"type":    "AdaptiveCard",
		"version": "1.4",
		"body": []any{
			jsonObject{"type": "TextBlock", "text": announceHeading, "weight": "Bolder", "size": "Medium", "wrap": true},
			jsonObject{"type": "RichTextBlock", "inlines": []any{
				jsonObject{"type": "TextRun", "text": p.Title},
			}},
		},
		"actions":      actions,
		"fallbackText": announceHeading + ": " + p.Title,
	}
	return jsonObject{
		"type":    "message",
		"summary": announceHeading + ": " + p.Title,
		"attachments": []any{jsonObject{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"contentUrl":  nil,
			"content":     card,
		}},
	}
}

// SlackEscape escapes user text for Slack mrkdwn: &, < and > become HTML
// entities, so that text cannot form links or mentions (<!channel>).
func SlackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// slackLink makes an http(s) link safe inside Slack's <url|text> syntax:
// & is escaped as Slack expects, and <, > and | (which would end the link
// or its URL) are percent-encoded. Anything else gives "".
func slackLink(link string) string {
	if !isWebLink(link) {
		return ""
	}
	return strings.NewReplacer("&", "&amp;", "<", "%3C", ">", "%3E", "|", "%7C").Replace(link)
}

// isWebLink reports whether link is an absolute http(s) URL.
func isWebLink(link string) bool {
	u, err := url.Parse(link)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Message queues a generic announcement (e.g. a pause, an urgent concern)
// to every configured webhook: one delivery per target keyed
// "msg:<key>:<target>", so sending the same key again queues nothing. The
// title and text are escaped like a post's title (Slack mrkdwn escaping;
// plain TextRuns in Teams); link, if an http(s) URL, becomes a button.
// With no webhook configured it does nothing.
func (w *Webhooks) Message(ctx context.Context, key, title, text, link string) error {
	var deliveries []webhook.Delivery
	for _, target := range webhook.Targets {
		hook, err := w.Store.WebhookURL(ctx, target)
		if err != nil {
			return fmt.Errorf("notify: message %s: %w", key, err)
		}
		if hook == "" {
			continue
		}
		payload, err := MessagePayload(target, title, text, link)
		if err != nil {
			return fmt.Errorf("notify: message %s: %w", key, err)
		}
		deliveries = append(deliveries, webhook.Delivery{Target: target, URL: hook, Payload: payload,
			DedupeKey: fmt.Sprintf("msg:%s:%s", key, target)})
	}
	if len(deliveries) == 0 {
		return nil
	}
	queued, err := w.Store.EnqueueWebhookDeliveries(ctx, deliveries)
	if err != nil {
		return fmt.Errorf("notify: message %s: %w", key, err)
	}
	if queued > 0 && w.Notify != nil {
		w.Notify()
	}
	return nil
}

const openButton = "Open in the portal"

// MessagePayload is the JSON a webhook of target receives for a generic
// message: Slack gets {"text", "blocks"} with title and text escaped for
// mrkdwn; Teams gets an Adaptive Card whose title and text are plain
// TextRuns. A link that is not an http(s) URL is left out.
func MessagePayload(target webhook.Target, title, text, link string) ([]byte, error) {
	switch target {
	case webhook.Slack:
		section := "*" + SlackEscape(title) + "*"
		if text != "" {
			section += "\n" + SlackEscape(text)
		}
		blocks := []any{jsonObject{"type": "section", "text": jsonObject{"type": "mrkdwn", "text": section}}}
		if isWebLink(link) {
			blocks = append(blocks, jsonObject{"type": "actions", "elements": []any{
				jsonObject{"type": "button", "text": plainText(openButton), "url": link, "style": "primary"}}})
		}
		return json.Marshal(jsonObject{"text": SlackEscape(title), "blocks": blocks})
	case webhook.Teams:
		body := []any{jsonObject{"type": "RichTextBlock", "inlines": []any{
			jsonObject{"type": "TextRun", "text": title, "weight": "Bolder", "size": "Medium"},
		}}}
		if text != "" {
			body = append(body, jsonObject{"type": "RichTextBlock", "inlines": []any{
				jsonObject{"type": "TextRun", "text": text},
			}})
		}
		card := jsonObject{
			"$schema":      "http://adaptivecards.io/schemas/adaptive-card.json",
			"type":         "AdaptiveCard",
			"version":      "1.4",
			"body":         body,
			"fallbackText": title,
		}
		if isWebLink(link) {
			card["actions"] = []any{jsonObject{"type": "Action.OpenUrl", "title": openButton, "url": link}}
		}
		return json.Marshal(jsonObject{
			"type":    "message",
			"summary": title,
			"attachments": []any{jsonObject{
				"contentType": "application/vnd.microsoft.card.adaptive",
				"contentUrl":  nil,
				"content":     card,
			}},
		})
	}
	return nil, fmt.Errorf("unknown webhook target %q", target)
}
