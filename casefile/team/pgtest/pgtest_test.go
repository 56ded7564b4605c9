package pgtest

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestStartServesADatabaseOnAUnixSocket(t *testing.T) {
	s := Start(t)
	u := s.NewDatabase(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var db, user, listen string
	if err := conn.QueryRow(ctx, `SELECT current_database(), current_user, current_setting('listen_addresses')`).Scan(&db, &user, &listen); err != nil {
		t.Fatal(err)
	}
	if db != "case1" || user != Superuser || listen != "" {
		t.Fatalf("connected to %q as %q, listening on %q; want case1 as %s on no TCP address", db, user, listen, Superuser)
	}
	if !strings.Contains(u, "host=%2Ftmp%2Fcustodia-pg-") && !strings.Contains(u, "custodia-pg-") {
		t.Fatalf("URL %s does not name the socket folder", u)
	}
}
