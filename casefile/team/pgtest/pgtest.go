// Package pgtest starts a throw-away PostgreSQL server for tests: initdb
// and postgres from Debian's postgresql package (or CUSTODIA_PG_BIN) in a
// temporary folder, listening only on a Unix socket there, run as an
// unprivileged user when the test runs as root (initdb refuses root). The
// server is stopped and its folder removed when the test ends. A test
// skips, saying why, only where the server binaries are absent.
//
// It is a helper for tests of any package (casefile/team, cmd/custodiactl)
// and is imported by tests only. It needs a Unix system (Unix sockets,
// setuid); elsewhere Start skips.
package pgtest

// Superuser is the role initdb makes; URLs connect as it.
const Superuser = "custodia"
