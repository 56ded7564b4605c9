package clocale

import (
	"os"
	"testing"
)

func TestQuiet(t *testing.T) {
	for _, c := range []struct{ lcAll, lang, language, want string }{
		{"", "C.UTF-8", "", "en"},
		{"", "POSIX.UTF-8", "", "en"},
		{"", "C.UTF-8", "de", "de"}, // the person's own choice stays
		{"", "de_DE.UTF-8", "", ""},
		{"de_DE.UTF-8", "C.UTF-8", "", ""}, // LC_ALL wins over LANG
		{"", "C", "", ""},                  // plain C is no error for Fyne
	} {
		t.Setenv("LC_ALL", c.lcAll)
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LANG", c.lang)
		t.Setenv("LANGUAGE", c.language)
		Quiet()
		if got := os.Getenv("LANGUAGE"); got != c.want {
			t.Errorf("LC_ALL=%q LANG=%q LANGUAGE=%q: LANGUAGE = %q, want %q", c.lcAll, c.lang, c.language, got, c.want)
		}
	}
}
