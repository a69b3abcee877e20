package main

import (
	"github.com/advocacy-portal/portal/handlers"
	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/notify"
	"github.com/advocacy-portal/portal/internal/publish"
	"github.com/advocacy-portal/portal/internal/reminder"
	"github.com/advocacy-portal/portal/internal/retention"
	"github.com/advocacy-portal/portal/internal/sources"
	"github.com/advocacy-portal/portal/internal/store"
)

// Each background job declares what it needs of storage; the store
// implements all of them. The jobs do not import the store, so the store
// could import them for these checks, but that would tie it to a feed
// fetcher and a webhook sender: the wiring, which knows both, holds them.
var (
	_ mail.Outbox          = (*store.Store)(nil)
	_ reminder.Store       = (*store.Store)(nil)
	_ publish.Store        = (*store.Store)(nil)
	_ notify.DigestStore   = (*store.Store)(nil)
	_ notify.WebhookStore  = (*store.Store)(nil)
	_ notify.DeliveryQueue = (*store.Store)(nil)
	_ retention.Store      = (*store.Store)(nil)
	_ sources.Store        = (*store.Store)(nil)
	// And what the handlers' services keep, as their domain packages
	// declare it.
	_ handlers.Storage = (*store.Store)(nil)
)
