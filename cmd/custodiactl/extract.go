package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
)

func runEvidenceExtract(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	out := fs.String("o", "", "write the item's bytes to `PATH`, a new file (required)")
	var cf caseFlags
	cf.addOpenFlags(fs)
	cf.addReasonFlag(fs)
	pos, err := inv.parseN(fs, args, "CASE", "ID")
	if err != nil {
		return err
	}
	ref, err := inv.evidenceRef(pos[1])
	if err != nil {
		return err
	}
	if *out == "" {
		return inv.usagef("-o PATH is required")
	}
	// Refuse before asking for a passphrase; evidence.Extract checks
	// again, atomically, when it creates the file.
	if _, err := os.Lstat(*out); err == nil {
		return existingFile("extract to", *out)
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		ev, err := findEvidence(c, ref)
		if err != nil {
			return err
		}
		prog := inv.progress("extracting")
		var hashes casefile.Hashes
		err = inv.interruptible(func(ctx context.Context) (err error) {
			hashes, err = evidence.Extract(ctx, c, ev.ID, *out, string(cf.reason), prog.sink())
			return err
		})
		prog.clear()
		switch {
		case errors.Is(err, context.Canceled):
			return withHint(errors.New("extraction cancelled"), "the partial file was removed; nothing was recorded")
		case errors.Is(err, evidence.ErrDestination):
			if _, serr := os.Lstat(*out); serr == nil {
				return existingFile("extract to", *out)
			}
			return withHint(err, "check that the folder for the file exists, that you may write to it and that its disk has space; nothing was extracted")
		case errors.Is(err, casefile.ErrAuthFailed):
			return withHint(err, casefile.Hint(err)+"; nothing was extracted")
		case err != nil:
			return err
		}
		w := inv.stdout
		fmt.Fprintf(w, "extracted: %s (%s) to %s\n", printable(ev.Meta.Name, false), shortID(ev), *out)
		writeField(w, 8, "size", byteSize(ev.Meta.Size))
		writeField(w, 8, "sha256", hashes.SHA256+" (re-computed from the written bytes; matches ingest)")
		writeField(w, 8, "md5", hashes.MD5+" (as recorded at ingest)")
		writeField(w, 8, "sha1", hashes.SHA1+" (as recorded at ingest)")
		writeRecordedHead(w, c, casefile.ActionEvidenceExtracted)
		return nil
	})
}

func runEvidenceCat(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	var offset, length byteCount
	fs.Var(&offset, "offset", "start at byte `N` of the item, decimal or hexadecimal with 0x; default 0")
	fs.Var(&length, "length", "write `N` bytes, decimal or hexadecimal with 0x; default all to the end")
	var cf caseFlags
	cf.addOpenFlags(fs)
	cf.addReasonFlag(fs)
	pos, err := inv.parseN(fs, args, "CASE", "ID")
	if err != nil {
		return err
	}
	ref, err := inv.evidenceRef(pos[1])
	if err != nil {
		return err
	}
	if inv.isTerminal(inv.stdout) {
		return withHint(errors.New("refusing to write raw evidence bytes to a terminal: they could control it"),
			"pipe the output into a hex viewer ('| xxd | less') or redirect it to a file")
	}
	n := int64(-1) // to the end
	if length.set {
		n = length.n
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		ev, err := findEvidence(c, ref)
		if err != nil {
			return err
		}
		// Ctrl-C keeps its default here and ends the process: the view is
		// recorded before the first byte, and there is nothing to undo.
		_, err = evidence.Cat(context.Background(), c, ev.ID, offset.n, n, inv.stdout, string(cf.reason))
		if errors.Is(err, casefile.ErrInvalid) {
			size := ev.Meta.Size
			return withHint(err, fmt.Sprintf("%s is %s: --offset can be 0 to %d, and --offset plus --length at most %d",
				printable(ev.Meta.Name, false), byteSize(size), size, size))
		}
		return err
	})
}

// byteCount is a flag holding a non-negative byte offset or length,
// written in decimal or in hexadecimal with 0x, as offsets in hex dumps are.
type byteCount struct {
	n   int64
	set bool
}

func (b *byteCount) String() string {
	if !b.set {
		return ""
	}
	return strconv.FormatInt(b.n, 10)
}

func (b *byteCount) Set(s string) error {
	n, err := parseByteCount(s)
	if err != nil {
		return err
	}
	b.n, b.set = n, true
	return nil
}

// parseByteCount parses a byte offset or length of 0 or more, decimal or
// hexadecimal with 0x.
func parseByteCount(s string) (int64, error) {
	var n int64
	var err error
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		n, err = strconv.ParseInt(h, 16, 64)
	} else {
		// Base 10 explicitly: a leading 0 is not octal here.
		n, err = strconv.ParseInt(s, 10, 64)
	}
	if err != nil || n < 0 {
		return 0, errors.New("not a byte count: give a whole number of 0 or more, in decimal or hexadecimal with 0x")
	}
	return n, nil
}
