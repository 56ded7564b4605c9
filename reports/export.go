package reports

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"strings"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
)

// CustodyFormats names the formats of a custody export, with what writes
// each: JSON lines (one entry per line) and CASE/UCO JSON-LD.
var CustodyFormats = map[string]func(io.Writer, CustodyExport) error{
	"jsonl":    WriteCustodyJSONL,
	"case-uco": WriteCustodyCASE,
}

// CustodyFormatNames lists the formats in the order help shows them.
var CustodyFormatNames = []string{"jsonl", "case-uco"}

// ExportedCustody is what ExportCustody wrote and recorded.
type ExportedCustody struct {
	Path    string // the file, absolute
	Format  string
	SHA256  string // of the file as stored
	Entries int    // custody entries in the export
	HeadSeq int64  // the head the export ends with
	Head    casefile.Digest
	Entry   casefile.CustodyEntry // the ledger.exported entry recording it
}

// Snapshot builds the custody export of c from one snapshot, so that its
// entries, examiners and head agree.
func Snapshot(c *casefile.Case, tool Tool, now time.Time) (CustodyExport, error) {
	entries, exs, seq, head, err := c.LedgerSnapshot()
	if err != nil {
		return CustodyExport{}, err
	}
	return CustodyExport{Case: c.Info(), Examiners: exs, Entries: entries, HeadSeq: seq, Head: head, Tool: tool, Generated: now}, nil
}

// ExportCustody writes the custody ledger of c in format to path, a new
// file (an existing one is never replaced: casefile.ErrExists), and records
// the export in the ledger as ledger.exported with the file's SHA-256 and
// reason. If the export cannot be recorded, the file is removed again: an
// export the ledger does not know of would be a hole in the chain of
// custody.
func ExportCustody(c *casefile.Case, format, path string, tool Tool, now time.Time, reason string) (ExportedCustody, error) {
	write, ok := CustodyFormats[format]
	if !ok {
		return ExportedCustody{}, fmt.Errorf("export custody ledger: %w", casefile.Invalidf("unknown format %q: use %s", format, strings.Join(CustodyFormatNames, " or ")))
	}
	if err := casefile.CheckReason(reason); err != nil {
		return ExportedCustody{}, fmt.Errorf("export custody ledger: %w", err)
	}
	x, err := Snapshot(c, tool, now)
	if err != nil {
		return ExportedCustody{}, fmt.Errorf("export custody ledger: %w", err)
	}
	out := ExportedCustody{Format: format, Entries: len(x.Entries), HeadSeq: x.HeadSeq, Head: x.Head}
	out.Path, out.SHA256, out.Entry, err = exportFile(c, "export custody ledger", path, func(w io.Writer) error { return write(w, x) },
		func(abs, sum string) casefile.Event {
			return casefile.Event{
				Action: casefile.ActionLedgerExported,
				Target: casefile.Target{Type: casefile.TargetLedger, ID: x.Case.CaseUUID.String()},
				Reason: reason,
				Hashes: map[string]string{"sha256": sum},
				Details: map[string]string{"format": format, "path": abs,
					"entries": fmt.Sprint(len(x.Entries)), "head": fmt.Sprintf("%d:%s", x.HeadSeq, x.Head)},
			}
		})
	if err != nil {
		return ExportedCustody{}, err
	}
	return out, nil
}

// exportFile writes a new file at path with write and records it with the
// custody event record gives for the file's absolute path and SHA-256:
// the one way every export leaves the case. An existing file is never
// replaced (casefile.ErrExists); a suspect case exports nothing (it could
// not be recorded); if the event cannot be recorded the file is removed
// again. doing names the operation in errors ("export custody ledger").
func exportFile(c *casefile.Case, doing, path string, write func(io.Writer) error,
	record func(abs, sum string) casefile.Event) (abs, sum string, entry casefile.CustodyEntry, err error) {
	abs = path
	if a, err := filepath.Abs(path); err == nil {
		abs = a
	}
	if _, err := os.Lstat(path); err == nil {
		return "", "", entry, fmt.Errorf("%s to %s: %w", doing, path, casefile.ErrExists)
	}
	if err := c.Suspect(); err != nil {
		return "", "", entry, fmt.Errorf("%s: %w", doing, err)
	}
	sum, err = casefile.WriteNewFile(path, write)
	switch {
	case errors.Is(err, fs.ErrExist):
		return "", "", entry, fmt.Errorf("%s to %s: %w", doing, path, casefile.ErrExists)
	case errors.As(err, new(*fs.PathError)):
		return "", "", entry, fmt.Errorf("%s to %s: %w", doing, path, ErrDestination.Errorf("%w", err))
	case err != nil:
		return "", "", entry, fmt.Errorf("%s to %s: %w", doing, path, err)
	}
	entry, err = c.Record(record(abs, sum))
	if err != nil {
		if rerr := os.Remove(path); rerr != nil {
			return "", "", entry, fmt.Errorf("%w; %s was written but could not be removed: %v", err, path, rerr)
		}
		return "", "", entry, fmt.Errorf("%w; the export could not be recorded in the custody ledger, so %s was removed", err, path)
	}
	return abs, sum, entry, nil
}

// ErrDestination means a file of an export or report could not be written.
var ErrDestination = casefile.NewKind("reports", "the file could not be written",
	"check that the folder exists, that you may write to it and that its disk has space; nothing was exported")
