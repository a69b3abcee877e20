package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/markbates/goth/providers/azureadv2"
	"github.com/markbates/goth/providers/google"

	"github.com/advocacy-portal/portal/guidelines"
	"github.com/advocacy-portal/portal/handlers"
	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/demo"
	"github.com/advocacy-portal/portal/internal/demoidp"
	"github.com/advocacy-portal/portal/internal/job"
	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/notify"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/publish"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/reminder"
	"github.com/advocacy-portal/portal/internal/retention"
	"github.com/advocacy-portal/portal/internal/sources"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/internal/training"
)

const (
	shutdownGrace     = 10 * time.Second
	reminderInterval  = 15 * time.Minute
	publishInterval   = 30 * time.Second
	digestInterval    = 15 * time.Minute
	retentionInterval = time.Hour
	sourcesInterval   = 30 * time.Minute
	tallyInterval     = time.Second // dashboards show clicks this long after their redirects
)

// loadGuidelines loads a company's guidelines folder, or the embedded set.
func loadGuidelines(dir string) (*training.Guidelines, error) {
	if dir == "" {
		return training.Load(guidelines.FS())
	}
	return training.Load(os.DirFS(dir))
}

// run wires the portal together and serves until ctx is cancelled, then
// shuts down cleanly. If ready is not nil it is called with the portal's
// base URL once it accepts connections.
func run(ctx context.Context, cfg Config, logger *slog.Logger, ready func(baseURL string)) error {
	g, err := loadGuidelines(cfg.GuidelinesDir)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	baseURL := baseURLFor(cfg.BaseURL, ln.Addr())

	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	// Clicks on tracked links are group-committed by the click writer.
	// Deferred here, it is closed after the HTTP servers have drained
	// (their shutdown is deferred below, so it runs first) and before the
	// store closes: the clicks still queued are committed.
	clickWriter := reach.NewWriter(db, reach.WriterConfig{})
	tally := &reach.Tally{Store: db, Logger: logger}
	defer func() {
		clickWriter.Close()
		st := clickWriter.Stats()
		logger.Info("click writer stopped", "batches", st.Batches, "clicks", st.Clicks, "committing", st.Committing)
		if _, err := tally.RunOnce(context.Background()); err != nil {
			logger.Error("rolling up the last clicks failed; the next start rolls them up", "err", err)
		}
	}()
	if err := db.RegisterConductVersion(ctx, g.Conduct.Version, g.Conduct.In(training.DefaultLanguage).Hash, g.Conduct.Material); err != nil {
		return err
	}

	var servers []*fiber.App
	errc := make(chan error, 2)
	serve := func(app *fiber.App, ln net.Listener) {
		servers = append(servers, app)
		go func() { errc <- app.Listener(ln) }()
	}
	// Whatever ends run, every server started is shut down first.
	defer func() {
		for _, s := range servers {
			s.ShutdownWithTimeout(shutdownGrace)
		}
	}()

	var providers []auth.Provider
	if cfg.Demo() {
		idp, idpLn, err := startDemoIdP(cfg, baseURL, logger)
		if err != nil {
			return err
		}
		serve(handlers.NewDemoIdP(idp.provider, logger), idpLn)
		flow, err := auth.NewOIDC(ctx, auth.OIDCConfig{Issuer: idp.issuer, ClientID: idp.clientID, ClientSecret: idp.secret,
			RedirectURL: baseURL + "/auth/" + demo.ProviderSlug + "/callback", GroupsClaim: cfg.GroupsClaim,
			IdentityIssuer: demo.Issuer})
		if err != nil {
			return fmt.Errorf("demo sign-in: %w", err)
		}
		providers = append(providers, auth.Provider{Slug: demo.ProviderSlug, Label: "the demo identity provider", Flow: flow})
		if err := demo.Seed(ctx, db, cfg.RoleMap, g.Required, time.Now()); err != nil {
			return fmt.Errorf("load demo data: %w", err)
		}
		logger.Warn("demo sign-in is on: anyone can sign in as a demo person; configure PORTAL_OIDC_ISSUER for real use",
			"demo_idp", idp.issuer)
	} else if providers, err = realProviders(ctx, cfg, baseURL); err != nil {
		return err
	}

	// Background jobs: the mail worker sends the outbox, the reminder job
	// fills it. Both stop with jobs' context, before the database closes.
	// The store wakes the mail worker whenever it queued mail.
	worker := &mail.Worker{Store: db, Logger: logger}
	if cfg.SMTPURL != "" {
		sender, err := mail.ParseSMTPURL(cfg.SMTPURL)
		if err != nil {
			return err
		}
		if cfg.SMTPCAFile != "" {
			if err := sender.TrustCAFile(cfg.SMTPCAFile); err != nil {
				return err
			}
		}
		worker.Sender = sender
	}
	reminders := &reminder.Job{Store: db, Guidelines: g, BaseURL: baseURL, Logger: logger}
	hookWorker := &notify.Worker{Store: db, Logger: logger}
	webhooks := &notify.Webhooks{Store: db, BaseURL: baseURL, Notify: hookWorker.Wake}
	digest := &notify.Digest{Store: db, BaseURL: baseURL, Logger: logger}
	publisher := &publish.Job{Store: db, Logger: logger, OnLive: webhooks.Announce}
	jobs, stopJobs := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { worker.Run(jobs) })
	wg.Go(func() { reminders.Run(jobs, reminderInterval) })
	wg.Go(func() { publisher.Run(jobs, publishInterval) })
	wg.Go(func() { hookWorker.Run(jobs) })
	wg.Go(func() { digest.Run(jobs, digestInterval) })
	cleaner := &retention.Job{Store: db, Logger: logger, ClickRetention: cfg.ClickRetention}
	poller := &sources.Job{Store: db, Logger: logger, Fetcher: &sources.Fetcher{UserAgent: "advocacy-portal (+" + baseURL + ")", AllowPrivate: cfg.SourcesAllowPrivate}}
	wg.Go(func() { poller.Run(jobs, sourcesInterval) })
	wg.Go(func() { cleaner.Run(jobs, retentionInterval) })
	wg.Go(func() { tally.Run(jobs, tallyInterval) })
	defer func() { stopJobs(); wg.Wait() }()

	app := handlers.New(handlers.Deps{
		Store: db, Guidelines: g, Providers: providers, RoleMap: cfg.RoleMap, GroupsClaim: cfg.GroupsClaim,
		BaseURL: baseURL, Demo: cfg.Demo(), Policy: post.DefaultPolicy, Logger: logger,
		TrustedProxies: cfg.TrustedProxies, AllowedDomains: cfg.AllowedDomains, MailConfigured: worker.Sender != nil, Jobs: handlers.Jobs{Reminders: reminders, Publisher: publisher, Sources: poller},
		JobStats: map[string]*job.Stats{"mail": &worker.Stats, "webhooks": &hookWorker.Stats, "reminders": &reminders.Stats,
			"publisher": &publisher.Stats, "digest": &digest.Stats, "retention": &cleaner.Stats, "sources": &poller.Stats,
			"tally": &tally.Stats}, Webhooks: webhooks,
		Clicks:        reach.NewRecorder(db, reach.Config{Writer: clickWriter}), // group commit on /l/{code}
		ClickStats:    clickWriter.Stats,
		MetricsAccess: handlers.MetricsAccess{Allow: cfg.MetricsAllow, Token: cfg.MetricsToken},
		RateLimits:    cfg.RateLimits,
	})
	serve(app, ln)
	logger.Info("portal is ready", "url", baseURL, "db", cfg.DB, "conduct_version", g.Conduct.Version, "modules", len(g.Modules))
	if ready != nil {
		ready(baseURL)
	}

	select {
	case <-ctx.Done():
	case err := <-errc:
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
	}
	logger.Info("shutting down")
	var errs []error
	for _, s := range servers {
		errs = append(errs, s.ShutdownWithTimeout(shutdownGrace))
	}
	servers = nil
	return errors.Join(errs...)
}

type demoIdP struct {
	provider                 *demoidp.Provider
	issuer, clientID, secret string
}

// startDemoIdP listens for the demo identity provider on loopback and
// creates it, registered for the portal's callback.
func startDemoIdP(cfg Config, baseURL string, logger *slog.Logger) (demoIdP, net.Listener, error) {
	ln, err := net.Listen("tcp", cfg.DemoIdPAddr)
	if err != nil {
		return demoIdP{}, nil, fmt.Errorf("demo identity provider: listen on %s: %w", cfg.DemoIdPAddr, err)
	}
	d := demoIdP{issuer: "http://" + ln.Addr().String(), clientID: "advocacy-portal", secret: auth.NewToken()}
	d.provider, err = demoidp.New(demoidp.Config{Issuer: d.issuer, ClientID: d.clientID, ClientSecret: d.secret,
		RedirectURIs: []string{baseURL + "/auth/" + demo.ProviderSlug + "/callback"}, People: demo.People()})
	if err != nil {
		ln.Close()
		return demoIdP{}, nil, err
	}
	return d, ln, nil
}

// realProviders sets up the configured identity providers. The generic
// OpenID Connect provider reads its issuer's discovery document now and
// refuses to start without it.
func realProviders(ctx context.Context, cfg Config, baseURL string) ([]auth.Provider, error) {
	callback := func(slug string) string { return baseURL + "/auth/" + slug + "/callback" }
	var providers []auth.Provider
	if cfg.OIDC.Issuer != "" {
		flow, err := auth.NewOIDC(ctx, auth.OIDCConfig{Issuer: cfg.OIDC.Issuer, ClientID: cfg.OIDC.ClientID,
			ClientSecret: cfg.OIDC.ClientSecret, RedirectURL: callback("oidc"), Scopes: cfg.OIDC.Scopes,
			GroupsClaim: cfg.GroupsClaim, TrustEmail: cfg.OIDC.TrustEmail})
		if err != nil {
			return nil, err
		}
		providers = append(providers, auth.Provider{Slug: "oidc", Label: cfg.OIDC.Name, Flow: flow})
	}
	if cfg.Google.ClientID != "" {
		p := google.New(cfg.Google.ClientID, cfg.Google.ClientSecret, callback("google"), "email", "profile")
		providers = append(providers, auth.Provider{Slug: "google", Label: "Google",
			Flow: auth.GothFlow{Provider: p, Issuer: "https://accounts.google.com", GroupsClaim: cfg.GroupsClaim}})
	}
	if cfg.Microsoft.ClientID != "" {
		p := azureadv2.New(cfg.Microsoft.ClientID, cfg.Microsoft.ClientSecret, callback("microsoft"),
			azureadv2.ProviderOptions{Tenant: azureadv2.TenantType(cfg.MicrosoftTenant),
				Scopes: []azureadv2.ScopeType{azureadv2.OpenIDScope, azureadv2.EmailScope, azureadv2.ProfileScope}})
		// Graph's object ids are unique across tenants.
		providers = append(providers, auth.Provider{Slug: "microsoft", Label: "Microsoft",
			Flow: auth.GothFlow{Provider: p, Issuer: "https://graph.microsoft.com", GroupsClaim: cfg.GroupsClaim,
				TrustEmail: cfg.MicrosoftTrustEmail}})
	}
	return providers, nil
}
