package handlers

import (
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/views"
)

// enabledNetworks returns the networks offered for sharing, in the order
// of share.Networks (see share.Offered).
func (s *server) enabledNetworks(c *fiber.Ctx) ([]share.Network, error) {
	return s.Shares.Networks(ctx(c))
}

// networkChoices lists every network for the settings form, marking the
// enabled ones.
func networkChoices(enabled []share.Network) []views.NetworkChoice {
	out := make([]views.NetworkChoice, 0, len(share.Networks))
	for _, n := range share.Networks {
		out = append(out, views.NetworkChoice{Network: n, Enabled: slices.Contains(enabled, n)})
	}
	return out
}
