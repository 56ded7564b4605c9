package main

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
)

func TestSplitArgs(t *testing.T) {
	cmd := &command{name: "x", path: "x"}
	tests := []struct {
		args             []string
		flags, positions []string
	}{
		{[]string{"CASE", "--title", "T"}, []string{"--title", "T"}, []string{"CASE"}},
		{[]string{"--title", "T", "CASE"}, []string{"--title", "T"}, []string{"CASE"}},
		{[]string{"-title=T", "CASE", "-json"}, []string{"-title=T", "-json"}, []string{"CASE"}},
		{[]string{"--json", "CASE"}, []string{"--json"}, []string{"CASE"}},               // bool flags take no value
		{[]string{"--title", "--", "CASE"}, []string{"--title", "--"}, []string{"CASE"}}, // "--" as a value
		{[]string{"--", "-CASE", "--json"}, nil, []string{"-CASE", "--json"}},
		{[]string{"-", "--json"}, []string{"--json"}, []string{"-"}},
		{[]string{"CASE", "--title"}, []string{"--title"}, []string{"CASE"}}, // value missing: Parse reports it
		{[]string{"--bogus", "CASE"}, []string{"--bogus"}, []string{"CASE"}}, // unknown: Parse reports it
	}
	for _, tt := range tests {
		fs := newFlagSet(cmd)
		fs.String("title", "", "")
		fs.Bool("json", false, "")
		flags, pos := splitArgs(fs, tt.args)
		if !slices.Equal(flags, tt.flags) || !slices.Equal(pos, tt.positions) {
			t.Errorf("splitArgs(%q) = %q, %q; want %q, %q", tt.args, flags, pos, tt.flags, tt.positions)
		}
	}
}

func TestDashDash(t *testing.T) {
	for in, want := range map[string]string{
		"flag provided but not defined: -xy":                      "flag provided but not defined: --xy",
		"flag needs an argument: -title":                          "flag needs an argument: --title",
		`invalid boolean value "m" for -json: parse error`:        `invalid boolean value "m" for --json: parse error`,
		`invalid value "m" for flag -nn: parse error`:             `invalid value "m" for flag --nn: parse error`,
		"flag needs an argument: -o":                              "flag needs an argument: -o", // one letter: help spells it -o
		"flag provided but not defined: -x":                       "flag provided but not defined: -x",
		"bad flag syntax: ---x":                                   "bad flag syntax: ---x",
		"flag provided but not defined: --already-two-dashes-ok?": "flag provided but not defined: --already-two-dashes-ok?",
	} {
		if got := dashDash(in); got != want {
			t.Errorf("dashDash(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReadPassphraseFile(t *testing.T) {
	dir := t.TempDir()
	for content, want := range map[string]string{
		"pw\n":        "pw",
		"pw\r\n":      "pw",
		"pw":          "pw",
		"pw\n\n":      "pw\n", // only one line end is stripped
		" pw \n":      " pw ",
		"pw\r":        "pw", // a lone CR, as from an old Mac editor
		"päss wörd\n": "päss wörd",
	} {
		p := filepath.Join(dir, "pw")
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := readPassphraseFile("--passphrase-file", p)
		if err != nil || string(got) != want {
			t.Errorf("file %q: got %q, %v; want %q", content, got, err, want)
		}
	}
	for _, content := range []string{"", "\n", "\r\n"} {
		p := filepath.Join(dir, "empty")
		os.WriteFile(p, []byte(content), 0o600)
		if _, err := readPassphraseFile("--passphrase-file", p); !errors.Is(err, casefile.ErrEmptyPassphrase) {
			t.Errorf("file %q: err = %v, want ErrEmptyPassphrase", content, err)
		}
	}
	big := filepath.Join(dir, "big")
	os.WriteFile(big, make([]byte, maxPassphraseFile+1), 0o600)
	if _, err := readPassphraseFile("--passphrase-file", big); err == nil {
		t.Error("a file over the size limit was accepted")
	}
}

func TestPrintable(t *testing.T) {
	for _, tt := range []struct {
		in        string
		multiline bool
		want      string
	}{
		{"Operation Nightfall", false, "Operation Nightfall"},
		{"Jörg Müller", false, "Jörg Müller"},
		{"evil\x1b[2Jtitle", false, `evil\x1b[2Jtitle`},
		{"two\nlines", false, `two\x0alines`},
		{"two\nlines", true, "two\nlines"},
		{"a\u202eb", false, `a\u202eb`},
		{"bell\x07\u009b", false, `bell\x07\x9b`},
	} {
		if got := printable(tt.in, tt.multiline); got != tt.want {
			t.Errorf("printable(%q, %v) = %q, want %q", tt.in, tt.multiline, got, tt.want)
		}
	}
}
