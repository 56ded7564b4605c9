package main

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var updateREADME = flag.Bool("update-readme", false, "rewrite the command list in README.md from the command table")

// readmePath is the README whose custodiactl section lists the commands.
const readmePath = "../../README.md"

// TestREADMECommandList checks that README.md lists every command of the
// table, with its usage line and summary, as commandList writes them: a
// command added, renamed or given new flags shows in the README too. Run
// 'go test ./cmd/custodiactl -run TestREADMECommandList -update-readme'
// to rewrite the list.
func TestREADMECommandList(t *testing.T) {
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	const section, open, end = "## custodiactl\n", "```sh\n", "```\n"
	i := strings.Index(readme, section)
	if i < 0 {
		t.Fatalf("README.md has no %q section", strings.TrimSpace(section))
	}
	j := strings.Index(readme[i:], open)
	if j < 0 {
		t.Fatal("the custodiactl section of README.md has no sh block")
	}
	start := i + j + len(open)
	k := strings.Index(readme[start:], end)
	if k < 0 {
		t.Fatal("the sh block of the custodiactl section of README.md does not end")
	}
	got, want := readme[start:start+k], commandList(commandTable())
	if got == want {
		return
	}
	if *updateREADME {
		if err := os.WriteFile(readmePath, []byte(readme[:start]+want+readme[start+k:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for n := 0; n < max(len(gl), len(wl)); n++ {
		var g, w string
		if n < len(gl) {
			g = gl[n]
		}
		if n < len(wl) {
			w = wl[n]
		}
		if g != w {
			t.Errorf("README.md's command list differs from the command table at line %d:\n README: %q\n  table: %q\nrun 'go test ./cmd/custodiactl -run TestREADMECommandList -update-readme' to rewrite it", n+1, g, w)
			return
		}
	}
}
