package linux

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/evidence/logs"
)

// Dpkg is the dpkg.log parser's registry entry.
var Dpkg = logs.Parser{
	Name:  "dpkg",
	Reads: "Debian/Ubuntu dpkg.log (package installs, upgrades, removals)",
	Names: []string{"dpkg.log*"},
	Sniff: func(h *logs.Head) int {
		return h.Score(20, func(l []byte) bool {
			s := string(l)
			if len(s) < 21 {
				return false
			}
			if _, _, err := logs.ParseISO(s[:19], nil); err != nil {
				return false
			}
			verb, _, _ := strings.Cut(s[20:], " ")
			return dpkgVerbs[verb]
		})
	},
	Parse: parseDpkg,
}

var dpkgVerbs = map[string]bool{"install": true, "upgrade": true, "remove": true, "purge": true, "status": true, "configure": true,
	"startup": true, "trigproc": true, "conffile": true}

func parseDpkg(ctx context.Context, r io.Reader, opts logs.Options, sink logs.Sink) error {
	return logs.EachLine(r, opts, sink, func(l logs.Line, s string, warn func(string) error) error {
		var t time.Time
		var terr error
		if len(s) >= 19 {
			t, _, terr = logs.ParseISO(s[:19], opts.Loc())
		}
		if len(s) < 21 || terr != nil {
			return warn(fmt.Sprintf("not a dpkg.log line: %q (expected \"YYYY-MM-DD hh:mm:ss action …\")", logs.Clip(s, 60)))
		}
		e := logs.Event{Offset: l.Offset, Length: l.Length, TimestampDesc: logs.DescLogged, Message: s[20:]}
		e.SetTime(t, s[:19], opts, true)
		w := strings.Fields(s[20:])
		verb := w[0]
		e.Add(logs.FieldAction, verb)
		pkg := func(p string) {
			name, arch, _ := strings.Cut(p, ":")
			e.Add("package", name)
			e.Add("arch", arch)
		}
		switch {
		case (verb == "install" || verb == "upgrade" || verb == "remove" || verb == "purge" || verb == "configure" || verb == "trigproc") && len(w) >= 2:
			pkg(w[1])
			if len(w) >= 3 {
				e.Add("version_old", strings.Trim(w[2], "<>"))
			}
			if len(w) >= 4 {
				e.Add("version_new", strings.Trim(w[3], "<>"))
			}
		case verb == "status" && len(w) >= 3:
			e.Add("status", w[1])
			pkg(w[2])
			if len(w) >= 4 {
				e.Add("version", w[3])
			}
		case verb == "startup" && len(w) >= 3:
			e.Add("status", w[1]+" "+w[2])
		case verb == "conffile" && len(w) >= 3:
			e.Add("conffile", w[1])
			e.Add("status", w[2])
		}
		return sink.Event(e)
	})
}
