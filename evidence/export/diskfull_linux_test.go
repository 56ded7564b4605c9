package export

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/custodia-dfir/custodia/evidence"
	"github.com/google/uuid"
)

// TestCreateDiskFull exports an item of 3 MiB onto a 2 MiB file system: the
// export fails naming the destination, neither the bundle nor its
// .partial folder is left, and nothing is recorded. It needs root to mount
// a small tmpfs; elsewhere it is skipped.
func TestCreateDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs")
	}
	f := newFixture(t)
	mnt := filepath.Join(t.TempDir(), "small")
	os.Mkdir(mnt, 0o755)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	defer exec.Command("umount", mnt).Run()
	big := make([]byte, 3<<20)
	rand.Read(big)
	src := filepath.Join(t.TempDir(), "big.dd")
	os.WriteFile(src, big, 0o600)
	evs, err := evidence.Ingest(context.Background(), f.c, src, evidence.Options{Reason: "test"})
	if err != nil {
		t.Fatal(err)
	}
	seq, _ := f.c.Head()
	dest := filepath.Join(mnt, "bundle")
	_, err = Create(context.Background(), f.c, Options{Dest: dest, Items: []uuid.UUID{evs[0].ID}, Recipients: f.rcpt, Tool: testTool})
	if !errors.Is(err, ErrDestination) {
		t.Fatalf("export onto a full disk: %v", err)
	}
	for _, p := range []string{dest, dest + ".partial"} {
		if _, err := os.Lstat(p); err == nil {
			t.Fatalf("%s was left behind", p)
		}
	}
	if n, _ := f.c.Head(); n != seq {
		t.Fatal("a failed export was recorded")
	}
}
