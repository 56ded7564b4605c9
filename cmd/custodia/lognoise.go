package main

import (
	"bytes"
	"io"
	"strings"
	"sync"
)

// fyneNoise passes log output on to w, except Fyne's report of reading its
// preferences file while that file is being rewritten: Fyne watches the
// file and, on its own save at exit (and when another Custodia window
// saves), can read it between the truncation and the write, then logs
// "Preferences load error: EOF". Nothing is lost — the preferences in
// memory stay as they were, and the file is written whole — so the report
// only worries the person reading the terminal. Any other message, and
// any other cause, passes.
type fyneNoise struct {
	w        io.Writer
	mu       sync.Mutex
	dropping bool   // inside a dropped report
	held     []byte // a "Preferences load error" line, kept until its cause shows whether it is the race
}

func (f *fyneNoise) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	line := string(p)
	switch {
	case strings.Contains(line, "Fyne error:  Preferences load error:"):
		f.flush()
		f.held = bytes.Clone(p)
		return len(p), nil
	case f.held != nil && (strings.Contains(line, "  Cause: EOF") || strings.Contains(line, "  Cause: unexpected EOF")):
		f.held, f.dropping = nil, true
		return len(p), nil
	case f.dropping && strings.Contains(line, "  At: ") && strings.Contains(line, "preferences.go"):
		f.dropping = false
		return len(p), nil
	}
	f.dropping = false
	if err := f.flush(); err != nil {
		return 0, err
	}
	return f.w.Write(p)
}

// flush writes a held line that turned out not to be the race.
func (f *fyneNoise) flush() error {
	if f.held == nil {
		return nil
	}
	held := f.held
	f.held = nil
	_, err := f.w.Write(held)
	return err
}
