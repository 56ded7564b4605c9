//go:build !unix

package pgtest

import "testing"

// Server is a running test server; on this system there is none.
type Server struct{}

// Bin returns "": the test server needs a Unix system.
func Bin() string { return "" }

// Start skips t: the test server needs a Unix system (Unix sockets, setuid).
func Start(t testing.TB) *Server {
	t.Helper()
	t.Skip("the PostgreSQL test server needs a Unix system")
	return nil
}

// URL is never called: Start skipped.
func (s *Server) URL(db string) string { return "" }

// NewDatabase is never called: Start skipped.
func (s *Server) NewDatabase(t testing.TB) string { return "" }

// Log is never called: Start skipped.
func (s *Server) Log() string { return "" }

// Kill is never called: Start skipped.
func (s *Server) Kill() {}

// Stop is never called: Start skipped.
func (s *Server) Stop() error { return nil }
