package evidence

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
)

// Skipped is an entry below a folder that a folder ingest did not read:
// only regular files are items, and symbolic links are not followed, so a
// link, a named pipe, a socket or a device file is listed here instead,
// with why. The ingest's report, its custody entry and the CLI list them.
type Skipped struct {
	Path   string // absolute path of the entry
	Reason string // what it is, as a short phrase: "named pipe (FIFO)", "symbolic link to a folder, not followed", …
	Target string // for a symbolic link, the path stored in it; "" otherwise
}

// skip describes the entry at p, of type t (not a regular file or folder).
func skip(p string, t fs.FileMode) Skipped {
	s := Skipped{Path: p}
	switch {
	case t&fs.ModeSymlink != 0:
		s.Target, _ = os.Readlink(p)
		switch fi, err := os.Stat(p); {
		case err != nil:
			s.Reason = "symbolic link whose target does not exist or cannot be read"
		case fi.IsDir():
			s.Reason = "symbolic link to a folder, not followed"
		case fi.Mode().IsRegular():
			s.Reason = "symbolic link to a file, not followed"
		default:
			s.Reason = "symbolic link to a special file, not followed"
		}
	case t&fs.ModeNamedPipe != 0:
		s.Reason = "named pipe (FIFO): no fixed content to read"
	case t&fs.ModeSocket != 0:
		s.Reason = "socket: no content to read"
	case t&fs.ModeCharDevice != 0:
		s.Reason = "character device: not read"
	case t&fs.ModeDevice != 0:
		s.Reason = "block device: not read inside a folder"
	default:
		s.Reason = "special file: not read"
	}
	return s
}

// skippedKinds names the kinds of the skipped entries, for a message:
// "2 symbolic links, 1 named pipe".
func skippedKinds(skipped []Skipped) string {
	kinds := []struct{ prefix, one, many string }{
		{"symbolic link", "symbolic link", "symbolic links"},
		{"named pipe", "named pipe", "named pipes"},
		{"socket", "socket", "sockets"},
		{"character device", "character device", "character devices"},
		{"block device", "block device", "block devices"},
		{"special file", "special file", "special files"},
	}
	var out []string
	for _, k := range kinds {
		n := 0
		for _, s := range skipped {
			if strings.HasPrefix(s.Reason, k.prefix) {
				n++
			}
		}
		if n > 0 {
			out = append(out, plural(n, k.one, k.many))
		}
	}
	return strings.Join(out, ", ")
}

// plural is "1 item" or "n items".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// skippedEntry is one skipped entry in the evidence.ingest-skipped custody
// entry: its path relative to the folder, the reason and a link's target.
type skippedEntry struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
	Target string `json:"target,omitempty"`
}

// Bounds of one custody entry (casefile: at most 64 hashes and details,
// 8192 bytes per value).
const (
	entryValueMax       = 8192
	skippedPerEntryKeys = 60
)

// recordSkipped appends evidence.ingest-skipped custody entries for the
// entries of folder that the ingest does not read: details folder (the
// absolute path), skipped (how many in all), entries, entries_2, … (JSON
// arrays of {"path", "reason", "target"}, at most 8192 bytes each, in
// name order) and, when one entry cannot hold them all (thousands of
// entries), part ("1 of 2") with the rest in the next entries.
func recordSkipped(c *casefile.Case, folder string, skipped []Skipped, reason string) error {
	var values []string
	var cur []skippedEntry
	size := 2
	flush := func() {
		if len(cur) > 0 {
			b, _ := json.Marshal(cur)
			values = append(values, string(b))
			cur, size = nil, 2
		}
	}
	for _, s := range skipped {
		rel, err := filepath.Rel(folder, s.Path)
		if err != nil {
			rel = s.Path
		}
		e := skippedEntry{Path: rel, Reason: s.Reason, Target: s.Target}
		b, _ := json.Marshal(e)
		if size+len(b)+1 > entryValueMax {
			flush()
		}
		cur, size = append(cur, e), size+len(b)+1
	}
	flush()
	parts := (len(values) + skippedPerEntryKeys - 1) / skippedPerEntryKeys
	for p := range parts {
		details := map[string]string{"folder": folder, "skipped": fmt.Sprint(len(skipped))}
		if parts > 1 {
			details["part"] = fmt.Sprintf("%d of %d", p+1, parts)
		}
		for k, v := range values[p*skippedPerEntryKeys : min((p+1)*skippedPerEntryKeys, len(values))] {
			key := "entries"
			if k > 0 {
				key = fmt.Sprintf("entries_%d", k+1)
			}
			details[key] = v
		}
		if _, err := c.Record(casefile.Event{Action: casefile.ActionIngestSkipped,
			Target: casefile.Target{Type: casefile.TargetCase, ID: c.Info().CaseUUID.String()}, Reason: reason, Details: details}); err != nil {
			return fmt.Errorf("record the skipped entries of %s: %w", folder, err)
		}
	}
	return nil
}
