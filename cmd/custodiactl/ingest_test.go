package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
)

// TestIngestError checks what a person is told when an ingest fails in
// ways the scripts cannot provoke: an unsupported image, a full disk, an
// interruption, and failures after some items were ingested.
func TestIngestError(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "disk.E01")
	if err := os.WriteFile(file, []byte("EVF"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		err       error
		src       string
		done      int
		msg, hint string
	}{{
		name: "unsupported",
		err:  fmt.Errorf("ingest %s: %w: EWF2 is not read", file, evidence.ErrUnsupported),
		src:  file,
		msg:  "ingest " + file + ": evidence: unsupported source format: EWF2 is not read",
		hint: "Custodia reads raw (dd) images, split raw images (.001, .000, .00, .aa, …), E01 images, VHD, VHDX, VMDK and QCOW2 disks, block devices, and any single file as it is (--kind other); convert the image to a raw image and ingest that, or ingest it with --kind other to keep the file as it is",
	}, {
		name: "unsupported, with the reader's own hint",
		err:  fmt.Errorf("ingest %s: %w", file, evidence.ErrUnsupported.Errorf("differencing disk: %w", withHint(errors.New("needs its parent"), "merge it with its parent first"))),
		src:  file,
		hint: "merge it with its parent first",
	}, {
		name: "disk full after two items",
		err:  fmt.Errorf("ingest %s: store chunks: %w (write: no space left on device)", file, casefile.ErrDiskFull),
		src:  file,
		done: 2,
		msg:  "ingest " + file + ": store chunks: casefile: disk full (write: no space left on device)",
		hint: casefile.Hint(casefile.ErrDiskFull) + "; the 2 items already ingested stay in the case",
	}, {
		name: "source changed in a folder, after one item",
		err:  fmt.Errorf("ingest %s: %w: it changed while it was read", file, evidence.ErrSource),
		src:  dir,
		done: 1,
		hint: "a folder is ingested as one item per regular file below it: check that it holds files, that you may read them all and that nothing changes them during the ingest; the item already ingested stays in the case",
	}, {
		name: "source vanished",
		err:  fmt.Errorf("ingest %s: %w: read 5 of 9 bytes", file, evidence.ErrSource),
		src:  file,
		hint: "check that you may read the evidence and that nothing changes it during the ingest; acquire a stable copy of a live source and ingest that",
	}, {
		name: "interrupted first",
		err:  fmt.Errorf("ingest %s: %w", file, context.Canceled),
		src:  file,
		msg:  "ingest cancelled",
		hint: "nothing was ingested; the item in progress was rolled back",
	}, {
		name: "interrupted later",
		err:  fmt.Errorf("ingest %s: %w", file, context.Canceled),
		src:  file,
		done: 3,
		msg:  "ingest cancelled",
		hint: "the item in progress was rolled back; the 3 items already ingested stay in the case",
	}, {
		name: "unknown failure after one item",
		err:  fmt.Errorf("ingest %s: something else", file),
		src:  file,
		done: 1,
		hint: "the item already ingested stays in the case",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			err := ingestError(tc.err, tc.src, tc.done)
			if tc.msg != "" && err.Error() != tc.msg {
				t.Errorf("message = %q, want %q", err, tc.msg)
			}
			if got := hintFor(err); got != tc.hint {
				t.Errorf("hint = %q, want %q", got, tc.hint)
			}
			if !strings.Contains(tc.msg, "cancelled") && err.Error() != tc.err.Error() {
				t.Errorf("the message changed: %q, want %q", err, tc.err)
			}
		})
	}
}
