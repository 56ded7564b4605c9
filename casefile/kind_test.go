package casefile

import (
	"errors"
	"fmt"
	"os"
	"testing"
)

// TestExplain pins what a person reads for each shape of error the core
// returns: an *Error of a kind, a kind wrapped with a detail, a kind
// wrapping a lower layer's text (left out), an input error (detail only), a
// typed error with a hint, a file system error, and an internal error.
func TestExplain(t *testing.T) {
	_, pathErr := os.Open("/nonexistent/custodia-explain")
	cases := []struct {
		name      string
		err       error
		msg, hint string
		known     bool
	}{
		{"kind error", ErrCorrupt.Errorf("key slot %d has a 3-byte salt", 2),
			"case file is damaged: key slot 2 has a 3-byte salt", ErrCorrupt.Hint(), true},
		{"wrapped kind", fmt.Errorf("open x.custodia: %w", fmt.Errorf("%w: the file is empty", ErrNotACase)),
			"not a Custodia case file: the file is empty", ErrNotACase.Hint(), true},
		{"lower layer hidden", fmt.Errorf("%w (%v)", ErrCorrupt, errors.New("sqlite: database disk image is malformed (11)")),
			"case file is damaged", ErrCorrupt.Hint(), true},
		{"bare kind", ErrCaseLocked, "case is open elsewhere", ErrCaseLocked.Hint(), true},
		{"input detail", fmt.Errorf("%w: %q matches 2 items; give more of the id", ErrInvalid, "ab"),
			`"ab" matches 2 items; give more of the id`, ErrInvalid.Hint(), true},
		{"input Invalidf", Invalidf("title is required"), "title is required", ErrInvalid.Hint(), true},
		{"path error", pathErr, pathErr.Error(), "", true},
		{"internal", errors.New("runtime: something odd"), "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg, hint, known := Explain(tc.err)
			if msg != tc.msg || hint != tc.hint || known != tc.known {
				t.Errorf("Explain(%q)\n got (%q, %q, %v)\nwant (%q, %q, %v)", tc.err, msg, hint, known, tc.msg, tc.hint, tc.known)
			}
		})
	}
}

type hinted struct{ error }

func (hinted) Hint() string { return "merge the disk with its parent first" }

// TestHintPrefersTheCause: an error of a kind that wraps an error with its
// own hint gives that hint, not the kind's generic one.
func TestHintPrefersTheCause(t *testing.T) {
	err := ErrCorrupt.Errorf("differencing disk: %w", hinted{errors.New("needs its parent")})
	if got := Hint(err); got != "merge the disk with its parent first" {
		t.Errorf("Hint = %q", got)
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Error("the error is no longer of its kind")
	}
	if got := Hint(ErrCorrupt.Errorf("no cause")); got != ErrCorrupt.Hint() {
		t.Errorf("Hint without a cause = %q", got)
	}
}
