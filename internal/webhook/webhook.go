// Package webhook is what the portal knows of the chat webhooks it
// announces live posts to: the targets (Slack, Microsoft Teams), a queued
// delivery, and how a webhook URL, a secret, is described without giving
// it away. It imports nothing of the portal, so that both the store, which
// keeps deliveries, and notify, which queues and sends them, can use it.
package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"time"
)

// Target is a chat service the portal announces live posts to through an
// incoming webhook.
type Target string

// The webhook targets.
const (
	Slack Target = "slack"
	Teams Target = "teams"
)

// Targets lists every target, in the order pages show them.
var Targets = []Target{Slack, Teams}

// Valid reports whether t is one of the webhook targets.
func (t Target) Valid() bool { return t == Slack || t == Teams }

// Label is the service's name as people know it.
func (t Target) Label() string {
	if t == Teams {
		return "Microsoft Teams"
	}
	return "Slack"
}

// SettingKey is the setting that holds the target's webhook URL, a JSON
// string; unset or "" means no webhook is configured.
func (t Target) SettingKey() string { return "webhook_" + string(t) + "_url" }

// Delivery is one message to a webhook. Payload is the JSON body to post.
// A delivery is unique by DedupeKey. SendAfter is when it may next be
// tried; SentAt is zero until the webhook accepted it. Attempts counts
// failed tries and LastError holds the latest failure's reason (never the
// URL).
type Delivery struct {
	ID        int64
	Target    Target
	URL       string // a secret: never log or show it
	Payload   []byte
	DedupeKey string
	Attempts  int
	LastError string
	CreatedAt time.Time
	SendAfter time.Time
	SentAt    time.Time
}

// RedactURL describes a webhook URL without giving it away: its scheme and
// host, and the first 8 hex digits of its SHA-256 so that a change can be
// told apart. "" stays "".
func RedactURL(webhookURL string) string {
	if webhookURL == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(webhookURL))
	host := "?"
	if u, err := url.Parse(webhookURL); err == nil && u.Host != "" {
		host = u.Scheme + "://" + u.Host
	}
	return host + "/… (sha256 " + hex.EncodeToString(sum[:4]) + ")"
}
