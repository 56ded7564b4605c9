package timeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/google/uuid"
)

// answers is everything a person sees of an index for a fixed set of
// queries: every page of events with every field, counts, facets and a
// histogram.
func answers(t *testing.T, ix *Index) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, q := range []string{"", "password", `"password for admin"`, "admin*", "user:admin", "user:adm*", "event_id:>4000",
		"src_ip:10.0.0.9", "10.0.0.9", "web01", "login_failed", "message:admin", "parser:evtx", "NOT password", "line", "n:4242", "n:>19990"} {
		evs, err := ix.Search(ctx, Filter{Query: q, Limit: MaxLimit})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		n, _ := ix.Count(ctx, Filter{Query: q})
		fmt.Fprintf(&b, "%q: %d\n", q, n)
		for _, e := range evs {
			fmt.Fprintf(&b, "  %s %s %q %q %q %d+%d %q %v\n", e.ID, e.Time.Format(time.RFC3339Nano), e.TimeText, e.TimestampDesc, e.Parser,
				e.Offset, e.Length, e.Message, e.Fields)
		}
		top, _ := ix.Top(ctx, Filter{Query: q}, "user", 10)
		hs, _ := ix.Histogram(ctx, Filter{Query: q}, time.Hour)
		fmt.Fprintf(&b, "  top %v\n  histogram %v\n", top, hs)
	}
	return b.String()
}

// TestSnapshotRoundTrip: an index saved to the case and restored at the
// next open answers every query exactly as the index rebuilt from the
// batches does.
func TestSnapshotRoundTrip(t *testing.T) {
	c, built, a, _ := indexed(t)
	big := casetest.StoreBytes(t, c, []byte("big"), "big.log").ID
	write(t, c, big, synthetic(20_000), nil, "syslog")
	if err := built.ReplaceItem(context.Background(), Of(c), big); err != nil {
		t.Fatal(err)
	}
	if built.Restored() {
		t.Fatal("a rebuilt index says it was restored")
	}
	want := answers(t, built)
	if !strings.Contains(want, `"password": 3`) || !strings.Contains(want, `"line": 20000`) {
		t.Fatalf("the rebuilt index is not the timeline:\n%.2000s", want)
	}
	before, _ := c.Entries()
	info, err := built.Save(context.Background(), Of(c))
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := c.Entries(); len(after) != len(before) {
		t.Fatalf("saving a snapshot wrote %d custody entries", len(after)-len(before))
	}
	if info.Parts < 1 || info.Size < 1 || info.Stored >= info.Size || !strings.Contains(info.Covers, a.String()) {
		t.Fatalf("snapshot %+v", info)
	}
	var warned []error
	ix, err := Open(context.Background(), Of(c), OpenOptions{Warn: func(err error) { warned = append(warned, err) }})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if !ix.Restored() || len(warned) != 0 || ix.Len() != 20_008 || ix.Cover() != built.Cover() {
		t.Fatalf("restored %v, warnings %v, %d events", ix.Restored(), warned, ix.Len())
	}
	if got := answers(t, ix); got != want {
		t.Fatalf("the restored index answers otherwise:\n%s\nwant:\n%s", got, want)
	}
	// A restored index takes a re-parse like a built one.
	write(t, c, a, synthetic(3), nil, "syslog")
	if err := ix.ReplaceItem(context.Background(), Of(c), a); err != nil {
		t.Fatal(err)
	}
	if err := built.ReplaceItem(context.Background(), Of(c), a); err != nil {
		t.Fatal(err)
	}
	if got, want := answers(t, ix), answers(t, built); got != want {
		t.Fatalf("after a re-parse the restored index answers otherwise:\n%s\nwant:\n%s", got, want)
	}
	// Saving again replaces the snapshot: one snapshot's rows, not two.
	if _, err := ix.Save(context.Background(), Of(c)); err != nil {
		t.Fatal(err)
	}
	path := c.Path()
	c.Close()
	var snapshots, parts int
	casetest.DB(t, path).QueryRow(`SELECT count(DISTINCT snapshot_uuid), count(*) FROM derived_snapshots`).Scan(&snapshots, &parts)
	if snapshots != 1 || parts < 2 {
		t.Fatalf("%d snapshots in %d rows after two saves", snapshots, parts)
	}
}

// TestSnapshotOfOlderParseNotUsed: after a re-parse the stored snapshot
// covers a parse that is no longer current, so Open rebuilds (without a
// warning: it is out of date, not damaged), and the index holds the new
// events only.
func TestSnapshotOfOlderParseNotUsed(t *testing.T) {
	c := newCase(t)
	item := casetest.StoreBytes(t, c, []byte("x"), "auth.log").ID
	write(t, c, item, synthetic(500), nil, "syslog")
	ix, err := Build(context.Background(), Of(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Save(context.Background(), Of(c)); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	write(t, c, item, synthetic(7), nil, "syslog")
	var warned []error
	ix, err = Open(context.Background(), Of(c), OpenOptions{Warn: func(err error) { warned = append(warned, err) }})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if n, _ := ix.Count(context.Background(), Filter{Query: "line"}); ix.Restored() || n != 7 || ix.Len() != 7 || len(warned) != 0 {
		t.Fatalf("restored %v, %d found, %d indexed, warnings %v", ix.Restored(), n, ix.Len(), warned)
	}
	// An annotation row moves the timeline on too: the cover names it.
	if !strings.Contains(ix.Cover(), " annotations=0 ") {
		t.Fatalf("cover %q", ix.Cover())
	}
}

// TestCorruptSnapshotIgnored: a snapshot whose part was changed on disk,
// whose parts were swapped with another snapshot's, or whose restored
// database does not hold what its cover says, is ignored with a warning,
// and the rebuilt index is correct.
func TestCorruptSnapshotIgnored(t *testing.T) {
	for _, tc := range []struct {
		name, edit, warn string
	}{
		{"flipped byte", `UPDATE derived_snapshots SET sealed = CAST(substr(sealed, 1, 100) || x'00' || substr(sealed, 102) AS BLOB) WHERE part = 1`, "part 1: "},
		{"part missing", `DELETE FROM derived_snapshots WHERE part = (SELECT max(part) FROM derived_snapshots)`, "parts are stored"},
		{"part of another snapshot", `UPDATE derived_snapshots SET snapshot_uuid = '` + uuid.New().String() + `' WHERE part = 1`, "is not one of"},
		{"manifest damaged", `UPDATE derived_snapshots SET sealed = CAST(x'01' || substr(sealed, 2, length(sealed) - 2) || x'00' AS BLOB) WHERE part = 0`, "manifest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := casetest.Create(t)
			c := casetest.Open(t, path, casetest.Passphrase)
			item := casetest.StoreBytes(t, c, []byte("x"), "auth.log").ID
			write(t, c, item, synthetic(30_000), nil, "syslog")
			ix, err := Build(context.Background(), Of(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			want := answers(t, ix)
			if info, err := ix.Save(context.Background(), Of(c)); err != nil || info.Parts < 2 {
				t.Fatalf("save: %+v, %v", info, err)
			}
			ix.Close()
			c.Close()
			casetest.Exec(t, path, tc.edit)
			c = casetest.Open(t, path, casetest.Passphrase)
			var warned []error
			ix, err = Open(context.Background(), Of(c), OpenOptions{Warn: func(err error) { warned = append(warned, err) }})
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			if ix.Restored() || len(warned) != 1 || !errors.Is(warned[0], casefile.ErrBadSnapshot) || !strings.Contains(warned[0].Error(), tc.warn) {
				t.Fatalf("restored %v, warnings %v; want one ErrBadSnapshot saying %q", ix.Restored(), warned, tc.warn)
			}
			if got := answers(t, ix); got != want {
				t.Fatal("the rebuilt index answers otherwise")
			}
			// The next save writes a good snapshot over the damaged one.
			if _, err := ix.Save(context.Background(), Of(c)); err != nil {
				t.Fatal(err)
			}
			ix2, err := Open(context.Background(), Of(c), OpenOptions{Warn: func(err error) { t.Errorf("warning: %v", err) }})
			if err != nil || !ix2.Restored() {
				t.Fatalf("after a new save: restored %v, %v", ix2 != nil && ix2.Restored(), err)
			}
			ix2.Close()
		})
	}
}

// TestWriterIndexInto: a parse indexed while it is written gives the index
// that building from the sealed batches gives; an abandoned parse leaves
// the index as it was.
func TestWriterIndexInto(t *testing.T) {
	c, ix, a, _ := indexed(t)
	ctx := context.Background()
	before := answers(t, ix)
	w, err := Of(c).NewWriter(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.IndexInto(ctx, ix); err != nil {
		t.Fatal(err)
	}
	for _, e := range synthetic(9000) {
		if err := w.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	w.Abort()
	if got := answers(t, ix); got != before {
		t.Fatalf("an abandoned parse changed the index:\n%.3000s\nwant:\n%.3000s", got, before)
	}
	w, _ = Of(c).NewWriter(a)
	if err := w.IndexInto(ctx, ix); err != nil {
		t.Fatal(err)
	}
	evs := synthetic(9000)
	for i := range evs {
		evs[i].Parser = "not the parse's parser"
		if err := w.Add(evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Commit(Summary{Parser: "syslog"}, "test parse"); err != nil || w.IndexErr() != nil {
		t.Fatal(err, w.IndexErr())
	}
	built, err := Build(ctx, Of(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer built.Close()
	// Events of two items at the same time come in the order they were
	// indexed (as after ReplaceItem): compare the answers as sets of lines.
	g, wl := strings.Split(answers(t, ix), "\n"), strings.Split(answers(t, built), "\n")
	slices.Sort(g)
	slices.Sort(wl)
	if !slices.Equal(g, wl) {
		for i := range min(len(g), len(wl)) {
			if g[i] != wl[i] {
				t.Fatalf("line %d: %s\nwant %s", i, g[i], wl[i])
			}
		}
		t.Fatalf("%d lines, want %d", len(g), len(wl))
	}
	if ix.Cover() != built.Cover() || ix.Len() != 9003 {
		t.Fatalf("indexed while written: %d events, cover %s; built: cover %s", ix.Len(), ix.Cover(), built.Cover())
	}
}

// TestContainsTokens: a field value is left out of the full-text column
// only when its words are certainly words of the message.
func TestContainsTokens(t *testing.T) {
	for _, tc := range []struct {
		msg, v string
		want   bool
	}{
		{"Accepted password for admin from 10.0.0.5 port 22", "admin", true},
		{"Accepted password for admin from 10.0.0.5 port 22", "10.0.0.5", true},
		{"Accepted password for admin from 10.0.0.5 port 22", "10.0.0", true}, // its words 10, 0, 0 are words of the message
		{"Accepted password for administrator", "admin", false},
		{"sshd[1000]: x", "1000", true},
		{"sshd[1000]: x", "000", false},
		{"user Admin", "admin", false}, // another case: indexed again
		{"path C:\\Program Files\\x", "C:\\Program Files\\x", true},
		{"café au lait", "caf", false},
		{"x", "", true},
		{"ab", "abc", false},
	} {
		if got := containsTokens(tc.msg, tc.v); got != tc.want {
			t.Errorf("containsTokens(%q, %q) = %v", tc.msg, tc.v, got)
		}
	}
}

// TestSnapshotNothingOnDisk: building, saving and restoring the index
// write nothing but the case: the temporary folder stays empty and the
// case's folder holds the case file (and, while it is open, SQLite's
// journal files of it) only.
func TestSnapshotNothingOnDisk(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("SQLITE_TMPDIR", tmp)
	path := casetest.Create(t)
	c := casetest.Open(t, path, casetest.Passphrase)
	item := casetest.StoreBytes(t, c, []byte("x"), "big.log").ID
	write(t, c, item, synthetic(20_000), nil, "syslog")
	ix, err := Build(context.Background(), Of(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Save(context.Background(), Of(c)); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	ix, err = Open(context.Background(), Of(c), OpenOptions{})
	if err != nil || !ix.Restored() {
		t.Fatal(err)
	}
	defer ix.Close()
	if evs, err := ix.Search(context.Background(), Filter{Query: "line OR web01", Limit: MaxLimit}); err != nil || len(evs) != 20_000 {
		t.Fatalf("search: %d, %v", len(evs), err)
	}
	var ts int
	ix.db.QueryRow("PRAGMA temp_store").Scan(&ts)
	var file string
	ix.db.QueryRow("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file)
	if ts != 2 || file != "" {
		t.Fatalf("restored index: temp_store %d, file %q", ts, file)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Fatalf("the temporary folder holds %d files", len(ents))
	}
	ents, _ := os.ReadDir(filepath.Dir(path))
	var names []string
	for _, e := range ents {
		if n := e.Name(); n != filepath.Base(path) && n != filepath.Base(path)+"-wal" && n != filepath.Base(path)+"-shm" {
			names = append(names, n)
		}
	}
	if slices.Sort(names); len(names) != 0 {
		t.Fatalf("beside the case: %v", names)
	}
}

// TestSnapshotIsTheSerializedImage: the snapshot Save streams page by page
// is byte for byte the image sqlite3_serialize makes of the index (what
// FORMAT.md 12.5 specifies), and a reader that ends early stores nothing.
func TestSnapshotIsTheSerializedImage(t *testing.T) {
	c, ix, _, _ := indexed(t)
	big := casetest.StoreBytes(t, c, []byte("big"), "big.log").ID
	write(t, c, big, synthetic(5000), nil, "syslog")
	if err := ix.ReplaceItem(context.Background(), Of(c), big); err != nil {
		t.Fatal(err)
	}
	info, err := ix.Save(context.Background(), Of(c))
	if err != nil {
		t.Fatal(err)
	}
	var image []byte
	conn, err := ix.db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	err = conn.Raw(func(dc any) error {
		image, err = dc.(interface{ Serialize() ([]byte, error) }).Serialize()
		return err
	})
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, data, ok, err := c.Snapshot(SnapshotName)
	if err != nil || !ok {
		t.Fatalf("snapshot: %v %v", ok, err)
	}
	if info.Size != int64(len(image)) || !bytes.Equal(data, image) || info.Parts != (len(image)+casefile.SnapshotPart-1)/casefile.SnapshotPart {
		t.Fatalf("snapshot of %d bytes in %d parts, serialized image %d bytes, equal %v", info.Size, info.Parts, len(image), bytes.Equal(data, image))
	}
	_, err = c.PutSnapshotFrom(SnapshotName, "other cover", int64(len(image))+1, bytes.NewReader(image))
	if err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Fatalf("a short reader: %v", err)
	}
	if got, ok, err := c.SnapshotManifest(SnapshotName); err != nil || !ok || got.ID != info.ID {
		t.Fatalf("after a failed store the snapshot is %+v %v %v, want %s", got, ok, err, info.ID)
	}
}
