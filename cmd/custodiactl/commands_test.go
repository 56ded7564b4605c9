package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestCommandTable checks what every entry of the command table promises:
// a summary for the overview, CASE first where the case is opened, flag
// names that do not collide with the case flags, and help on -h that names
// the command and does nothing else.
func TestCommandTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range runnables(commandTable()) {
		if seen[c.path] {
			t.Errorf("%s: listed twice", c.path)
		}
		seen[c.path] = true
		if c.summary == "" {
			t.Errorf("%s: no summary", c.path)
		}
		if c.do == nil {
			t.Errorf("%s: nothing to do", c.path)
		}
		if c.opens && c.caseFlag == "" && (len(c.params) == 0 || c.params[0].name != "CASE") {
			t.Errorf("%s: opens a case but its first argument is not CASE", c.path)
		}
		if c.reasonNeeded != "" && !c.changes {
			t.Errorf("%s: needs --reason but does not declare changes, which brings it", c.path)
		}
		names := map[string]bool{}
		for _, d := range c.allFlags() {
			if names[d.name] {
				t.Errorf("%s: flag --%s declared twice", c.path, d.name)
			}
			names[d.name] = true
		}
		for i, p := range c.params {
			if p.many && i != len(c.params)-1 {
				t.Errorf("%s: argument %s takes every argument left but is not the last", c.path, p.name)
			}
			if i > 0 && c.params[i-1].optional && !p.optional {
				t.Errorf("%s: argument %s is required but follows an optional one", c.path, p.name)
			}
		}

		var stdout, stderr bytes.Buffer
		e := testEnv()
		e.stdout, e.stderr = &stdout, &stderr
		args := append(strings.Fields(c.path), "-h")
		if code := run(args, e); code != exitOK {
			t.Errorf("%s -h: exit %d, stderr %q", c.path, code, stderr.String())
		}
		if want := "usage: custodiactl " + synopsis(c) + "\n"; !strings.HasPrefix(stdout.String(), want) {
			t.Errorf("%s -h: help starts %q, want %q", c.path, firstLine(stdout.String()), want)
		}
		if stderr.Len() > 0 {
			t.Errorf("%s -h: wrote to stderr: %q", c.path, stderr.String())
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
