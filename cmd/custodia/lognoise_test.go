package main

import (
	"bytes"
	"log"
	"testing"
)

func TestFyneNoiseDropsOnlyThePreferencesRace(t *testing.T) {
	var out bytes.Buffer
	l := log.New(&fyneNoise{w: &out}, "", 0)
	l.Println("Fyne error: ", "Preferences load error:")
	l.Println("  Cause:", "EOF")
	l.Printf("  At: %s:%d", "/go/pkg/mod/fyne.io/fyne/v2@v2.7.1/app/preferences.go", 103)
	l.Println("Fyne error: ", "Preferences load error:")
	l.Println("  Cause:", "invalid character 'x' looking for beginning of value")
	l.Printf("  At: %s:%d", "/go/pkg/mod/fyne.io/fyne/v2@v2.7.1/app/preferences.go", 103)
	l.Println("Fyne error: ", "Failed to open window")
	want := "Fyne error:  Preferences load error:\n  Cause: invalid character 'x' looking for beginning of value\n" +
		"  At: /go/pkg/mod/fyne.io/fyne/v2@v2.7.1/app/preferences.go:103\nFyne error:  Failed to open window\n"
	if got := out.String(); got != want {
		t.Errorf("passed on:\n%s\nwant:\n%s", got, want)
	}
}
