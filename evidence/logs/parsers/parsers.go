// Package parsers is the registry of Custodia's log parsers: it lists them,
// detects which one reads an item (content first, then the file name), and
// runs it. The list is in one place, one line per parser, in the order in
// which detection breaks ties.
package parsers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/logs/cloud"
	"github.com/custodia-dfir/custodia/evidence/logs/evtx"
	"github.com/custodia-dfir/custodia/evidence/logs/jsonl"
	"github.com/custodia-dfir/custodia/evidence/logs/linux"
	"github.com/custodia-dfir/custodia/evidence/logs/syslog"
	"github.com/custodia-dfir/custodia/evidence/logs/timesketch"
	"github.com/custodia-dfir/custodia/evidence/logs/web"
	"github.com/custodia-dfir/custodia/evidence/logs/windows"
	"github.com/custodia-dfir/custodia/evidence/logs/zeek"
)

// registry lists every parser. Narrow formats come before broad ones, so
// that on equal content scores the narrower wins.
var registry = []logs.Parser{
	evtx.Parser,
	linux.Utmp,
	zeek.Parser,
	web.IIS,
	windows.SetupAPI,
	timesketch.Parser,
	cloud.CloudTrail,
	cloud.GCPAudit,
	cloud.AzureActivity,
	cloud.M365,
	linux.Auditd,
	linux.Dpkg,
	linux.History,
	web.Access,
	syslog.Parser,
	jsonl.Parser,
}

// All returns the parsers, in registry order.
func All() []logs.Parser { return append([]logs.Parser(nil), registry...) }

// Names returns the parser names, sorted.
func Names() []string {
	var n []string
	for _, p := range registry {
		n = append(n, p.Name)
	}
	sort.Strings(n)
	return n
}

// Lookup returns the parser called name.
func Lookup(name string) (logs.Parser, error) {
	for _, p := range registry {
		if p.Name == name {
			return p, nil
		}
	}
	return logs.Parser{}, fmt.Errorf("%w %q: the parsers are %s", ErrUnknownParser, name, strings.Join(Names(), ", "))
}

// Errors of detection and lookup.
var (
	ErrUnknownParser = errors.New("parsers: no parser called")
	ErrUnknownFormat = errors.New("parsers: no parser recognises this item")
)

// MinScore is the content score at or above which a parser is chosen by
// content alone.
const MinScore = 50

// Detect chooses the parser for an item from its head: the highest content
// score of at least MinScore wins (on a tie, a parser whose file names match,
// then registry order); without one, the first parser whose file name
// patterns match. how is "content" or "name".
func Detect(h *logs.Head) (p logs.Parser, how string, err error) {
	best, bestScore, bestName := -1, 0, false
	for i, cand := range registry {
		if cand.Sniff == nil {
			continue
		}
		s := cand.Sniff(h)
		nameOK := cand.MatchName(h.Name)
		if s > bestScore || (s == bestScore && s > 0 && nameOK && !bestName) {
			best, bestScore, bestName = i, s, nameOK
		}
	}
	if best >= 0 && bestScore >= MinScore {
		return registry[best], "content", nil
	}
	for _, cand := range registry {
		if h.Name != "" && cand.MatchName(h.Name) {
			return cand, "name", nil
		}
	}
	what := "its first bytes match no log format"
	if h.Binary() {
		what = "it looks like binary data, not a text log, and matches no binary log format"
	}
	return logs.Parser{}, "", fmt.Errorf("%w: %s; choose one with --parser (`custodiactl timeline parsers` lists them)", ErrUnknownFormat, what)
}

// Parse reads an item: it decompresses gzip, detects the format (or takes
// opts.Parser), and runs the parser, passing events and warnings to sink
// (see logs.Run for the checks on the way). An empty item gives one warning
// and no error.
func Parse(ctx context.Context, r io.Reader, opts logs.Options, sink logs.Sink) (logs.Result, error) {
	if err := ctx.Err(); err != nil {
		return logs.Result{}, err
	}
	in, err := logs.NewInput(ctx, r, opts)
	if err != nil {
		return logs.Result{}, err
	}
	h := in.Head()
	if err := ctx.Err(); err != nil {
		// Cancelled while the head was read: what was read is not the item.
		return logs.Result{}, err
	}
	var p logs.Parser
	how := "override"
	if opts.Parser != "" {
		if p, err = Lookup(opts.Parser); err != nil {
			return logs.Result{}, err
		}
	} else {
		if len(h.Raw) == 0 {
			res := logs.Result{Stream: in.Stream(), Warnings: 1}
			return res, sink.Warning(logs.Warning{Why: "the item is empty: there is nothing to parse"})
		}
		if p, how, err = Detect(h); err != nil {
			return logs.Result{Stream: in.Stream()}, err
		}
	}
	res, err := logs.Run(ctx, p, in, opts, sink)
	res.Detected = how
	return res, err
}
