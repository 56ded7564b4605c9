package timeline

import (
	"errors"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
)

func TestParsePack(t *testing.T) {
	qs, err := ParsePack([]byte("\ufeff# hunting pack\n\nuser:root\r\n   # indented comment\nsshd AND NOT\n  starred:true  \ntag:\"a b\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line  int
		query string
		pos   int // 0: no error
		msg   string
	}{
		{3, "user:root", 0, ""},
		{5, "sshd AND NOT", 10, "NOT needs something to leave out after it"},
		{6, "starred:true", 0, ""},
		{7, `tag:"a b"`, 5, `field tag: "a b" holds a space; join words with - or _, e.g. a-b`},
	}
	if len(qs) != len(want) {
		t.Fatalf("%d queries, want %d: %+v", len(qs), len(want), qs)
	}
	for i, w := range want {
		q := qs[i]
		var qe *QueryError
		if q.Line != w.line || q.Query != w.query {
			t.Errorf("query %d = line %d %q, want line %d %q", i, q.Line, q.Query, w.line, w.query)
		}
		switch {
		case w.pos == 0 && q.Err != nil:
			t.Errorf("line %d: %v, want no error", q.Line, q.Err)
		case w.pos != 0 && (!errors.As(q.Err, &qe) || qe.Pos != w.pos || qe.Msg != w.msg || !errors.Is(q.Err, ErrBadQuery)):
			t.Errorf("line %d: %v, want at character %d: %s", q.Line, q.Err, w.pos, w.msg)
		}
	}
	for _, empty := range []string{"", "\n\n", "# only\n  # comments\n"} {
		if _, err := ParsePack([]byte(empty)); !errors.Is(err, ErrEmptyPack) {
			t.Errorf("pack %q: %v, want ErrEmptyPack", empty, err)
		}
	}
	if _, err := ParsePack(make([]byte, MaxPackBytes+1)); !errors.Is(err, casefile.ErrInvalid) {
		t.Errorf("oversized pack: %v, want ErrInvalid", err)
	}
}
