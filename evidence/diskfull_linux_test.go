package evidence

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
)

// TestIngestDiskFull ingests into a case on a 32 MiB file system a source
// that cannot fit: the ingest fails with ErrDiskFull, nothing half-stored
// stays visible, the case still opens and its ledger verifies. It needs
// root to mount a small tmpfs (CI runs as root); elsewhere it is skipped.
// An empty format-7 case is about 6.6 MB (one 64 KiB page per table and
// index) and creating it needs as much again for its journal, so the file
// system is 32 MiB and the source twice that.
func TestIngestDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs")
	}
	dir := t.TempDir()
	mnt := filepath.Join(dir, "small")
	os.Mkdir(mnt, 0o755)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	defer exec.Command("umount", mnt).Run()

	path := filepath.Join(mnt, "case.custodia")
	c, err := casefile.Create(path, []byte(testPass), casefile.NewCase{Title: "full", Examiner: "Ed"}, casefile.TestOptions())
	if err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 64<<20) // random: does not compress
	rand.Read(big)
	src := writeFile(t, t.TempDir(), "big.dd", big)
	_, err = Ingest(context.Background(), c, src, Options{})
	if !errors.Is(err, casefile.ErrDiskFull) {
		t.Fatalf("err = %v, want ErrDiskFull", err)
	}
	if list, _ := c.ListEvidence(); len(list) != 0 {
		t.Fatalf("half item visible: %v", list)
	}
	// A small item still fits after the rollback freed the space.
	small := writeFile(t, t.TempDir(), "small.log", []byte("fits\n"))
	if _, err := Ingest(context.Background(), c, small, Options{}); err != nil {
		t.Fatalf("ingest after disk full: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("close after disk full: %v", err)
	}
	c, err = casefile.Open(path, []byte(testPass), casefile.TestOptions())
	if err != nil {
		t.Fatalf("open after disk full: %v", err)
	}
	defer c.Close()
	if list, _ := c.ListEvidence(); len(list) != 1 || list[0].Meta.Name != "small.log" {
		t.Fatalf("items after reopen: %v", list)
	}
	if r, err := c.VerifyLedger(); err != nil || !r.OK() {
		t.Fatalf("ledger after disk full: %v %v", err, r.Problems)
	}
}
