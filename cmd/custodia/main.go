// Command custodia is Custodia's desktop workstation.
//
// Usage:
//
//	custodia [--passphrase-file FILE] [CASE]
//
// With CASE it asks for that case's passphrase at start; with
// --passphrase-file too it opens the case without asking (scripted demos and
// the smoke test). The file's first line is the passphrase. In that mode it
// prints "custodia: case open: PATH" on standard output once the case is on
// screen, so a script knows when to look.
//
// The environment variable CUSTODIA_START_AREA names the area an opened case
// shows first instead of the dashboard (for example "Custody"); the smoke
// test uses it to take screenshots of areas for the user guide.
// CUSTODIA_START_HEX, an offset such as 0x1be, opens the hex view of the
// case's first evidence item at that offset as well (recorded in the
// custody record like any view); a range such as 0x1be-0x1ce (end
// exclusive) also selects those bytes. CUSTODIA_WINDOW, a size such as
// 800x600, opens the window at that size instead of 1100x720 (the smoke
// test checks the smallest window Custodia supports).
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	_ "time/tzdata" // IANA time zones for evidence, also where the system has none (Windows)

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/custodia-dfir/custodia/app"
	"github.com/custodia-dfir/custodia/assets"
	"github.com/custodia-dfir/custodia/casefile"
	_ "github.com/custodia-dfir/custodia/cmd/custodia/internal/clocale" // before Fyne: no "locale C" noise at start
)

func main() {
	passFile := flag.String("passphrase-file", "", "open CASE with the passphrase in `FILE` (first line) instead of asking")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: custodia [--passphrase-file FILE] [CASE%s]\n", casefile.Extension)
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 1 || (*passFile != "" && flag.NArg() == 0) {
		flag.Usage()
		os.Exit(2)
	}
	var pass []byte
	if *passFile != "" {
		var err error
		if pass, err = readPassphrase(*passFile); err != nil {
			fmt.Fprintf(os.Stderr, "error: %v\nhint: give a file whose first line is the case passphrase\n", err)
			os.Exit(1)
		}
	}

	log.SetOutput(&fyneNoise{w: os.Stderr}) // Fyne logs through the standard logger
	a := fyneapp.NewWithID("io.custodia.workstation")
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	w := a.NewWindow("Custodia")
	w.Resize(windowSize(os.Getenv("CUSTODIA_WINDOW")))
	cfg := app.Config{ // production key derivation only
		StartArea: os.Getenv("CUSTODIA_START_AREA"),
		StartHex:  os.Getenv("CUSTODIA_START_HEX"),
	}
	if *passFile != "" {
		// Scripts wait for this line before looking at the screen.
		cfg.OnCaseShown = func(path string) { fmt.Printf("custodia: case open: %s\n", path) }
	}
	ui := app.New(a, w, cfg)
	if flag.NArg() == 1 {
		ui.OpenWithPassphrase(flag.Arg(0), pass)
	}

	// SIGINT and SIGTERM quit like closing the window does; Shutdown below
	// closes the case.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() { <-sig; fyne.Do(a.Quit) }()

	w.ShowAndRun()
	if err := ui.Shutdown(); err != nil {
		fmt.Fprintf(os.Stderr, "error: close case: %v\nhint: %s\n", err, casefile.Hint(err))
		os.Exit(1)
	}
}

// windowSize is the size the window opens at: "WIDTHxHEIGHT" in points,
// or 1100×720 when spec is empty or not a size.
func windowSize(spec string) fyne.Size {
	w, h, ok := strings.Cut(spec, "x")
	if ok {
		if wi, err := strconv.Atoi(w); err == nil && wi > 0 {
			if hi, err := strconv.Atoi(h); err == nil && hi > 0 {
				return fyne.NewSize(float32(wi), float32(hi))
			}
		}
	}
	return fyne.NewSize(1100, 720)
}

// readPassphrase returns the first line of the file at path, without its
// line ending.
func readPassphrase(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read passphrase file: %w", err)
	}
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		clear(b[i:])
		b = b[:i]
	}
	b = bytes.TrimSuffix(b, []byte("\r"))
	if len(b) == 0 {
		return nil, errors.New("read passphrase file: first line is empty")
	}
	return b, nil
}
