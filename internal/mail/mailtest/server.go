package mailtest

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// Message is one message as the server accepted it.
type Message struct {
	From     string   // envelope sender (MAIL FROM)
	To       []string // envelope recipients (RCPT TO)
	Data     []byte   // the message as sent, headers and body
	AuthUser string   // the user who authenticated, "" if none did
	TLS      bool     // whether the message came over TLS
}

// Options say what the server offers.
type Options struct {
	// User and Password, when set, are required (AUTH PLAIN) before MAIL
	// FROM. Clear-text authentication is allowed: the server is on loopback.
	User, Password string
	// TLSConfig, when set, is offered through STARTTLS, or from the first
	// byte when ImplicitTLS is set.
	TLSConfig   *tls.Config
	ImplicitTLS bool
}

// Step is a step of an SMTP transaction at which the server can refuse a
// message.
type Step string

// The steps RejectAt takes.
const (
	StepNone Step = ""     // accept every message
	StepRcpt Step = "rcpt" // 550 no such user, at RCPT TO
	StepData Step = "data" // 451 try again later, after DATA
)

// Server is a real SMTP server (github.com/emersion/go-smtp) on 127.0.0.1
// that keeps what it accepts. Its methods are safe for concurrent use.
type Server struct {
	// Addr is the host:port the server listens on.
	Addr string

	user, password string

	mu       sync.Mutex
	rejectAt Step
	msgs     []Message
	arrived  chan struct{} // closed and replaced when a message arrives
}

// StartServer starts a server on a free port of 127.0.0.1 and stops it
// when the test ends.
func StartServer(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := &Server{user: opts.User, password: opts.Password, arrived: make(chan struct{})}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		return &session{srv: s, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true // loopback only
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = discardLogger{}
	var ln net.Listener
	var err error
	if opts.ImplicitTLS {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", opts.TLSConfig)
	} else {
		srv.TLSConfig = opts.TLSConfig
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		tb.Fatalf("mailtest: listen: %v", err)
	}
	s.Addr = ln.Addr().String()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }() // nil once Close has run
	tb.Cleanup(func() {
		if err := srv.Close(); err != nil {
			tb.Errorf("mailtest: close server: %v", err)
		}
		// Close misses a listener that Serve has not registered yet.
		if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			tb.Errorf("mailtest: close listener: %v", err)
		}
		if err := <-served; err != nil {
			tb.Errorf("mailtest: serve: %v", err)
		}
	})
	return s
}

// RejectAt makes the server refuse every later message at step; StepNone
// makes it accept them again.
func (s *Server) RejectAt(step Step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectAt = step
}

// Messages returns what the server accepted so far, oldest first. The
// slice is the caller's; the messages' Data and To are shared, not to be
// changed.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// WaitFor returns what the server accepted once at least n messages have
// arrived, or what it has after within if fewer did: the caller checks the
// count and says what it means.
func (s *Server) WaitFor(n int, within time.Duration) []Message {
	timeout := time.NewTimer(within)
	defer timeout.Stop()
	for {
		s.mu.Lock()
		msgs, arrived := append([]Message(nil), s.msgs...), s.arrived
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs
		}
		select {
		case <-arrived:
		case <-timeout.C:
			return msgs
		}
	}
}

func (s *Server) step() Step {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejectAt
}

func (s *Server) keep(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}

// session is one SMTP connection; go-smtp calls it from one goroutine.
type session struct {
	srv  *Server
	conn *gosmtp.Conn
	msg  Message
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != s.srv.user || password != s.srv.password {
			return gosmtp.ErrAuthFailed
		}
		s.msg.AuthUser = username
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if s.srv.user != "" && s.msg.AuthUser == "" {
		return gosmtp.ErrAuthRequired
	}
	s.msg.From = from
	_, s.msg.TLS = s.conn.TLSConnectionState()
	return nil
}

func (s *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if s.srv.step() == StepRcpt {
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.srv.step() == StepData {
		return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.msg.Data = data
	s.srv.keep(s.msg)
	return nil
}

func (s *session) Reset() { s.msg = Message{AuthUser: s.msg.AuthUser} }

func (s *session) Logout() error { return nil }
