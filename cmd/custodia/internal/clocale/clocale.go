// Package clocale keeps Fyne from logging "Error parsing user locale C" at
// every start where the locale is C.UTF-8 (containers, CI, minimal
// systems): "C" is no language tag. Its messages are English, so when the
// person set no LANGUAGE of their own, LANGUAGE=en says so.
//
// Fyne reads the locale while its packages are initialized, before main
// runs, so this is done in an init function of a package that imports
// nothing but the standard library. Go initializes the packages of a
// program in the order of their import paths, each once its imports are
// done (the Go specification, "Package initialization"), so this package
// (github.com/custodia-dfir/…) is initialized before the locale library
// Fyne uses (github.com/jeandeaual/go-locale) and Fyne itself. cmd/custodia
// imports it for that effect alone.
package clocale

import (
	"os"
	"strings"
)

func init() { Quiet() }

// Quiet sets LANGUAGE=en when the locale in force (LC_ALL, LC_MESSAGES or
// LANG, the first set) is C or POSIX with a character set, and LANGUAGE is
// not set.
func Quiet() {
	for _, env := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(env)
		if v == "" {
			continue
		}
		if (strings.HasPrefix(v, "C.") || strings.HasPrefix(v, "POSIX.")) && os.Getenv("LANGUAGE") == "" {
			os.Setenv("LANGUAGE", "en")
		}
		return
	}
}
