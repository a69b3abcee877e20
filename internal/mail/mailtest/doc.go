// Package mailtest gives tests a real SMTP server on loopback, a private
// certificate authority for it, and a reader for the multipart messages the
// portal sends.
//
// It is test support: only _test.go files import it, never the portal
// itself. Everything it starts is stopped by the test's clean-up.
package mailtest
