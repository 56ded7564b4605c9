package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
	"github.com/google/uuid"
)

// checkEvidenceVerify checks --source before the passphrase is asked for.
func checkEvidenceVerify(in *call) error {
	if !in.given("source") {
		return nil
	}
	source := in.text("source")
	if source == "" {
		return in.usagef("--source needs the PATH of the original source")
	}
	if len(in.args) != 2 {
		return in.usagef("--source hashes the original of one item: give exactly one ID with it")
	}
	_, err := checkReadable("verify source", source)
	return err
}

func runEvidenceVerify(in *call, c *casefile.Case) error {
	asJSON, source := in.on("json"), in.text("source")
	items, err := evidenceItems(c, in.args[1:])
	if err != nil {
		return err
	}
	if len(items) == 0 {
		if asJSON {
			return writeJSON(in.stdout, verifyEvidenceJSON{OK: true, Items: []verifyItemJSON{}})
		}
		fmt.Fprint(in.stdout, "result: the case holds no evidence to verify\n")
		return nil
	}
	firstSeq, _ := c.Head()
	ids := make([]uuid.UUID, len(items))
	for i, ev := range items {
		ids[i] = ev.ID
	}
	var results []evidence.VerifyResult
	err = in.interruptible(func(ctx context.Context) error {
		prog := in.progress("verifying")
		defer prog.clear()
		// Each result is printed as its item finishes.
		for r, err := range evidence.VerifyItems(ctx, c, ids, evidence.VerifyOptions{AllHashes: in.on("all-hashes")}, source, prog.sink()) {
			prog.clear()
			if err != nil {
				if r.Verification.At.IsZero() || source == "" {
					return err
				}
				return withHint(err, ingestHint(err, source))
			}
			if !asJSON {
				writeVerifyLines(in.stdout, r)
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
	if asJSON {
		if jerr := writeJSON(in.stdout, verifyToJSON(results)); jerr != nil && err == nil {
			err = jerr
		}
	} else if err == nil {
		writeVerifySummary(in.stdout, results, firstSeq, lastSeq)
	}
	if err != nil {
		return err
	}
	return verifyError(results)
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

// writeVerifyLines writes the result of one item: "OK ID NAME" or
// "MISMATCH ID NAME: detail", and a line for its source when checked.
func writeVerifyLines(w io.Writer, r evidence.VerifyResult) {
	name := printable(r.Item.Meta.Name, false)
	if r.Verification.OK {
		fmt.Fprintf(w, "OK %s %s\n", shortID(r.Item), name)
	} else {
		fmt.Fprintf(w, "MISMATCH %s %s: %s\n", shortID(r.Item), name, printable(r.Verification.Detail, false))
	}
	if s := r.Source; s != nil {
		if s.OK {
			fmt.Fprintf(w, "OK %s %s: source %s matches the hashes recorded at ingest\n", shortID(r.Item), name, printable(s.Path, false))
		} else {
			fmt.Fprintf(w, "MISMATCH %s %s: source %s differs from ingest: %s\n", shortID(r.Item), name, printable(s.Path, false),
				r.Item.Meta.Hashes.Diff(s.Hashes))
		}
	}
}

// writeVerifySummary writes the result line and which custody entries
// recorded the verifications.
func writeVerifySummary(w io.Writer, results []evidence.VerifyResult, firstSeq, lastSeq int64) {
	bad := 0
	for _, r := range results {
		if !r.OK() {
			bad++
		}
	}
	if bad == 0 {
		fmt.Fprintf(w, "result: %s\n", plural(len(results), "item matches", "items match"))
	} else {
		fmt.Fprintf(w, "result: %d of %s\n", bad, plural(len(results), "item does not match", "items do not match"))
	}
	if len(results) > 0 {
		rc := results[0].Verification.RecomputedText()
		if len(results[0].Verification.RecomputedHashes()) < 3 {
			rc += "; --all-hashes recomputes them too"
		}
		fmt.Fprintf(w, "recomputed: %s\n", rc)
	}
	action := casefile.ActionEvidenceVerified
	for _, r := range results {
		if r.Source != nil {
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
func verifyError(results []evidence.VerifyResult) error {
	var inCase, source []string
	for _, r := range results {
		if !r.Verification.OK {
			inCase = append(inCase, printable(r.Item.Meta.Name, false))
		}
		if r.Source != nil && !r.Source.OK {
			source = append(source, printable(r.Source.Path, false))
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

func verifyToJSON(results []evidence.VerifyResult) verifyEvidenceJSON {
	j := verifyEvidenceJSON{OK: true, Items: make([]verifyItemJSON, 0, len(results))}
	for _, r := range results {
		v := r.Verification
		item := verifyItemJSON{
			ID: r.Item.ID.String(), Name: r.Item.Meta.Name, OK: v.OK, Detail: v.Detail,
			VerifiedAt: formatTime(v.At), VerifiedBy: v.By, Recomputed: append([]string{}, v.RecomputedHashes()...),
			MD5: v.Hashes.MD5, SHA1: v.Hashes.SHA1, SHA256: v.Hashes.SHA256,
		}
		if s := r.Source; s != nil {
			item.Source = &sourceCheckJSON{Path: s.Path, OK: s.OK, MD5: s.Hashes.MD5, SHA1: s.Hashes.SHA1, SHA256: s.Hashes.SHA256}
		}
		j.OK = j.OK && r.OK()
		j.Items = append(j.Items, item)
	}
	return j
}
