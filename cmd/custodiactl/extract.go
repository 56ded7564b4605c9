package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
)

// checkEvidenceExtract refuses an existing file before the passphrase is
// asked for; evidence.Extract checks again, atomically, when it creates
// the file.
func checkEvidenceExtract(in *call) error {
	if out := in.text("o"); fileExists(out) {
		return existingFile("extract to", out)
	}
	return nil
}

func runEvidenceExtract(in *call, c *casefile.Case) error {
	out := in.text("o")
	ev, err := findEvidence(c, in.args[1])
	if err != nil {
		return err
	}
	prog := in.progress("extracting")
	var hashes casefile.Hashes
	err = in.interruptible(func(ctx context.Context) (err error) {
		hashes, err = evidence.Extract(ctx, c, ev.ID, out, in.reason, prog.sink())
		return err
	})
	prog.clear()
	switch {
	case errors.Is(err, context.Canceled):
		return withHint(errors.New("extraction cancelled"), "the partial file was removed; nothing was recorded")
	case errors.Is(err, evidence.ErrDestination):
		if fileExists(out) {
			return existingFile("extract to", out)
		}
		return withHint(err, "check that the folder for the file exists, that you may write to it and that its disk has space; nothing was extracted")
	case errors.Is(err, casefile.ErrAuthFailed):
		return withHint(err, casefile.Hint(err)+"; nothing was extracted")
	case err != nil:
		return err
	}
	w := in.stdout
	fmt.Fprintf(w, "extracted: %s (%s) to %s\n", printable(ev.Meta.Name, false), shortID(ev), out)
	writeField(w, 8, "size", byteSize(ev.Meta.Size))
	writeField(w, 8, "sha256", hashes.SHA256+" (re-computed from the written bytes; matches ingest)")
	writeField(w, 8, "md5", hashes.MD5+" (as recorded at ingest)")
	writeField(w, 8, "sha1", hashes.SHA1+" (as recorded at ingest)")
	return nil
}

// checkEvidenceCat refuses to write raw evidence bytes to a terminal.
func checkEvidenceCat(in *call) error {
	if in.isTerminal(in.stdout) {
		return withHint(errors.New("refusing to write raw evidence bytes to a terminal: they could control it"),
			"pipe the output into a hex viewer ('| xxd | less') or redirect it to a file")
	}
	return nil
}

func runEvidenceCat(in *call, c *casefile.Case) error {
	ev, err := findEvidence(c, in.args[1])
	if err != nil {
		return err
	}
	offset, length := valueOf[byteCount](in, "offset"), valueOf[byteCount](in, "length")
	n := int64(-1) // to the end
	if length.set {
		n = length.n
	}
	// Ctrl-C keeps its default here and ends the process: the view is
	// recorded before the first byte, and there is nothing to undo.
	_, err = evidence.Cat(context.Background(), c, ev.ID, offset.n, n, in.stdout, in.reason)
	if errors.Is(err, casefile.ErrInvalid) {
		size := ev.Meta.Size
		return withHint(err, fmt.Sprintf("%s is %s: --offset can be 0 to %d, and --offset plus --length at most %d",
			printable(ev.Meta.Name, false), byteSize(size), size, size))
	}
	return err
}

// byteCount is a flag holding a non-negative byte offset or length,
// written in decimal or in hexadecimal with 0x, as offsets in hex dumps are.
type byteCount struct {
	n   int64
	set bool
}

func (b *byteCount) get() byteCount { return *b }

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
