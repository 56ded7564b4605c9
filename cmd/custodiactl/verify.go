package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
)

// verifyResult is the outcome of verifying one item: in the case, and,
// with --source, against its original source.
type verifyResult struct {
	ev     casefile.Evidence
	v      casefile.Verification // as recorded, with its time and examiner
	source *sourceCheck          // nil unless --source was given
}

// sourceCheck is the outcome of re-hashing an item's original source.
type sourceCheck struct {
	path   string
	hashes casefile.Hashes
	ok     bool
}

// ok reports whether everything checked for the item matches.
func (r verifyResult) ok() bool { return r.v.OK && (r.source == nil || r.source.ok) }

func runEvidenceVerify(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	allHashes := fs.Bool("all-hashes", false, "recompute MD5 and SHA-1 as well as SHA-256 (about twice as long)")
	source := fs.String("source", "", "also hash the original source at `PATH` and compare it with the hashes recorded at ingest (one ID only)")
	var cf caseFlags
	cf.addOpenFlags(fs)
	pos, err := inv.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return inv.usagef("missing CASE")
	}
	casePath := pos[0]
	var refs []string
	for _, id := range pos[1:] {
		ref, err := inv.evidenceRef(id)
		if err != nil {
			return err
		}
		refs = append(refs, ref)
	}
	sourceGiven := false
	fs.Visit(func(f *flag.Flag) { sourceGiven = sourceGiven || f.Name == "source" })
	if sourceGiven {
		if *source == "" {
			return inv.usagef("--source needs the PATH of the original source")
		}
		if len(refs) != 1 {
			return inv.usagef("--source hashes the original of one item: give exactly one ID with it")
		}
		if _, err := checkReadable("verify source", *source); err != nil {
			return err
		}
	}
	return inv.withCase(casePath, &cf, func(c *casefile.Case) error {
		items, err := evidenceItems(c, refs)
		if err != nil {
			return err
		}
		if len(items) == 0 {
			if *asJSON {
				return writeJSON(inv.stdout, verifyEvidenceJSON{OK: true, Items: []verifyItemJSON{}})
			}
			fmt.Fprint(inv.stdout, "result: the case holds no evidence to verify\n")
			return nil
		}
		firstSeq, _ := c.Head()
		var results []verifyResult
		err = inv.interruptible(func(ctx context.Context) error {
			for _, ev := range items {
				r, err := inv.verifyOne(ctx, c, ev, evidence.VerifyOptions{AllHashes: *allHashes}, *source)
				if err != nil {
					return err
				}
				if !*asJSON {
					writeVerifyLines(inv.stdout, r)
				}
				results = append(results, r)
			}
			return nil
		})
		if errors.Is(err, context.Canceled) {
			err = withHint(errors.New("verification cancelled"),
				fmt.Sprintf("%s verified before the interruption; their results are recorded", plural(len(results), "item was", "items were")))
		}
		lastSeq, _ := c.Head()
		if *asJSON {
			if jerr := writeJSON(inv.stdout, verifyToJSON(results)); jerr != nil && err == nil {
				err = jerr
			}
		} else if err == nil {
			writeVerifySummary(inv.stdout, results, firstSeq, lastSeq)
		}
		if err != nil {
			return err
		}
		return verifyError(results)
	})
}

// evidenceItems resolves refs to items of c, each once, in the order
// given; with no refs it returns every item.
func evidenceItems(c *casefile.Case, refs []string) ([]casefile.Evidence, error) {
	if len(refs) == 0 {
		return c.ListEvidence()
	}
	var items []casefile.Evidence
	seen := map[string]bool{}
	for _, ref := range refs {
		ev, err := findEvidence(c, ref)
		if err != nil {
			return nil, err
		}
		if !seen[ev.ID.String()] {
			seen[ev.ID.String()] = true
			items = append(items, ev)
		}
	}
	return items, nil
}

// verifyOne verifies ev in the case and, when source is not "", against
// the original at source.
func (inv *invocation) verifyOne(ctx context.Context, c *casefile.Case, ev casefile.Evidence, opts evidence.VerifyOptions, source string) (verifyResult, error) {
	prog := inv.progress("verifying")
	v, err := evidence.Verify(ctx, c, ev.ID, opts, prog.sink())
	prog.clear()
	if err != nil {
		return verifyResult{}, err
	}
	// The result as recorded carries the time and the examiner.
	if rec, err := c.Evidence(ev.ID); err == nil && rec.Verification != nil {
		v = *rec.Verification
	}
	r := verifyResult{ev: ev, v: v}
	if source != "" {
		prog := inv.progress("hashing the source of")
		hashes, ok, err := evidence.VerifySource(ctx, c, ev.ID, source, prog.sink())
		prog.clear()
		if err != nil {
			return r, withHint(fmt.Errorf("verify source %s: %w", source, err), ingestHint(err, source))
		}
		r.source = &sourceCheck{path: absPath(source), hashes: hashes, ok: ok}
	}
	return r, nil
}

// writeVerifyLines writes the result of one item: "OK ID NAME" or
// "MISMATCH ID NAME: detail", and a line for its source when checked.
func writeVerifyLines(w io.Writer, r verifyResult) {
	name := printable(r.ev.Meta.Name, false)
	if r.v.OK {
		fmt.Fprintf(w, "OK %s %s\n", shortID(r.ev), name)
	} else {
		fmt.Fprintf(w, "MISMATCH %s %s: %s\n", shortID(r.ev), name, printable(r.v.Detail, false))
	}
	if s := r.source; s != nil {
		if s.ok {
			fmt.Fprintf(w, "OK %s %s: source %s matches the hashes recorded at ingest\n", shortID(r.ev), name, printable(s.path, false))
		} else {
			fmt.Fprintf(w, "MISMATCH %s %s: source %s differs from ingest: %s\n", shortID(r.ev), name, printable(s.path, false),
				r.ev.Meta.Hashes.Diff(s.hashes))
		}
	}
}

// writeVerifySummary writes the result line and which custody entries
// recorded the verifications.
func writeVerifySummary(w io.Writer, results []verifyResult, firstSeq, lastSeq int64) {
	bad := 0
	for _, r := range results {
		if !r.ok() {
			bad++
		}
	}
	if bad == 0 {
		fmt.Fprintf(w, "result: %s\n", plural(len(results), "item matches", "items match"))
	} else {
		fmt.Fprintf(w, "result: %d of %s\n", bad, plural(len(results), "item does not match", "items do not match"))
	}
	if len(results) > 0 {
		rc := results[0].v.RecomputedText()
		if len(results[0].v.RecomputedHashes()) < 3 {
			rc += "; --all-hashes recomputes them too"
		}
		fmt.Fprintf(w, "recomputed: %s\n", rc)
	}
	action := casefile.ActionEvidenceVerified
	for _, r := range results {
		if r.source != nil {
			action += " and " + casefile.ActionSourceVerified
			break
		}
	}
	writeRecorded(w, firstSeq, lastSeq, action)
}

// writeRecorded writes which custody entries, after firstSeq up to
// lastSeq, recorded the action: "recorded: entry 5 evidence.verified" or
// "recorded: entries 5-7 evidence.verified".
func writeRecorded(w io.Writer, firstSeq, lastSeq int64, action casefile.Action) {
	switch {
	case lastSeq == firstSeq+1:
		fmt.Fprintf(w, "recorded: entry %d %s\n", lastSeq, action)
	case lastSeq > firstSeq+1:
		fmt.Fprintf(w, "recorded: entries %d-%d %s\n", firstSeq+1, lastSeq, action)
	}
}

// verifyError is the error for results that do not all match, nil when
// they do.
func verifyError(results []verifyResult) error {
	var inCase, source []string
	for _, r := range results {
		if !r.v.OK {
			inCase = append(inCase, printable(r.ev.Meta.Name, false))
		}
		if r.source != nil && !r.source.ok {
			source = append(source, printable(r.source.path, false))
		}
	}
	switch {
	case len(inCase) > 0:
		msg := fmt.Sprintf("%d of %s: %s", len(inCase), plural(len(results), "evidence item does not match", "evidence items do not match"), strings.Join(inCase, ", "))
		if len(source) > 0 {
			msg += "; and the source " + source[0] + " differs from ingest"
		}
		return withHint(errors.New(msg),
			"the case file was changed or damaged outside Custodia: preserve this copy for examination and restore the case from a backup; each MISMATCH line names the item and what differs")
	case len(source) > 0:
		return withHint(fmt.Errorf("the source %s differs from the evidence ingested from it", source[0]),
			"the source changed after it was ingested, or PATH is not the original; the copy sealed in the case is what was hashed at ingest")
	}
	return nil
}

// verifyEvidenceJSON is the JSON form of evidence verify.
type verifyEvidenceJSON struct {
	OK    bool             `json:"ok"`
	Items []verifyItemJSON `json:"items"`
}

// verifyItemJSON is the result for one item; the hashes are those found,
// "" where the content could not be read to its end.
type verifyItemJSON struct {
	ID         string           `json:"id"`
	Name       string           `json:"name"`
	OK         bool             `json:"ok"`
	Detail     string           `json:"detail"`
	VerifiedAt string           `json:"verified_at"`
	VerifiedBy string           `json:"verified_by"`
	Recomputed []string         `json:"recomputed"` // the hashes recomputed; the others are ""
	MD5        string           `json:"md5"`
	SHA1       string           `json:"sha1"`
	SHA256     string           `json:"sha256"`
	Source     *sourceCheckJSON `json:"source"` // null unless --source was given
}

type sourceCheckJSON struct {
	Path   string `json:"path"`
	OK     bool   `json:"ok"`
	MD5    string `json:"md5"`
	SHA1   string `json:"sha1"`
	SHA256 string `json:"sha256"`
}

func verifyToJSON(results []verifyResult) verifyEvidenceJSON {
	j := verifyEvidenceJSON{OK: true, Items: make([]verifyItemJSON, 0, len(results))}
	for _, r := range results {
		item := verifyItemJSON{
			ID: r.ev.ID.String(), Name: r.ev.Meta.Name, OK: r.v.OK, Detail: r.v.Detail,
			VerifiedAt: formatTime(r.v.At), VerifiedBy: r.v.By, Recomputed: append([]string{}, r.v.RecomputedHashes()...),
			MD5: r.v.Hashes.MD5, SHA1: r.v.Hashes.SHA1, SHA256: r.v.Hashes.SHA256,
		}
		if s := r.source; s != nil {
			item.Source = &sourceCheckJSON{Path: s.path, OK: s.ok, MD5: s.hashes.MD5, SHA1: s.hashes.SHA1, SHA256: s.hashes.SHA256}
		}
		j.OK = j.OK && r.ok()
		j.Items = append(j.Items, item)
	}
	return j
}
