package handlers

import (
	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/audit"
	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/concern"
	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/notify"
	"github.com/advocacy-portal/portal/internal/pause"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/privacy"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/scim"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/source"
	"github.com/advocacy-portal/portal/internal/training"
)

// Storage is what the portal keeps, as the domain packages declare it:
// each service's repository, nothing of its own. New builds the services
// a Deps leaves out over it; internal/store implements it (cmd/portal
// checks that at compile time), and another store can by implementing the
// same interfaces.
type Storage interface {
	reach.Store
	share.Repository
	share.FeedRepository
	training.HRRepository
	training.Repository
	scim.Repository
	reach.DashboardRepository
	auth.SessionRepository
	mail.OutboxStore
	audit.Repository
	privacy.Repository
	notify.WebhookSettingsStore
	notify.UnsubscribeStore
	post.Repository
	post.CampaignRepository
	post.CalendarRepository
	post.ImageRepository
	account.DirectoryRepository
	account.GroupRepository
	account.ProfileRepository
	source.Repository
	pause.Repository
	concern.Repository
}
