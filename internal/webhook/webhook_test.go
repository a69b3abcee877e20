package webhook_test

import (
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/webhook"
)

func TestRedactURL(t *testing.T) {
	a := webhook.RedactURL("https://hooks.slack.com/services/T/B/secret")
	b := webhook.RedactURL("https://hooks.slack.com/services/T/B/other")
	if strings.Contains(a, "secret") || !strings.HasPrefix(a, "https://hooks.slack.com/") || a == b {
		t.Errorf("redacted %q and %q: want the host, no secret, and different fingerprints", a, b)
	}
	if got := webhook.RedactURL(""); got != "" {
		t.Errorf("RedactURL(\"\") = %q", got)
	}
}
