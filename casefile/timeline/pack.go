package timeline

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/custodia-dfir/custodia/casefile"
)

// A hunting pack is a saved list of queries: one query per line; blank
// lines and lines whose first non-blank character is # are skipped.

// MaxPackBytes bounds a hunting pack file.
const MaxPackBytes = 1 << 20

// ErrEmptyPack means a hunting pack holds no query.
var ErrEmptyPack = casefile.NewKind("timeline", "the list of queries holds no query",
	"write one query per line; lines starting with # are comments")

// PackQuery is one query of a hunting pack.
type PackQuery struct {
	Line  int    // 1-based line in the file
	Query string // the line without surrounding white space
	// Err is why the query cannot be read (a *QueryError, which says at
	// which character), or nil.
	Err error
}

// ParsePack reads a hunting pack. Each query is checked (PackQuery.Err); a
// pack that is too long, not UTF-8 or without any query is an error.
func ParsePack(data []byte) ([]PackQuery, error) {
	if len(data) > MaxPackBytes {
		return nil, fmt.Errorf("%w: the list of queries is %d bytes; at most %d", casefile.ErrInvalid, len(data), MaxPackBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var out []PackQuery
	for i, line := range strings.Split(string(data), "\n") {
		q := strings.TrimSpace(line)
		if q == "" || strings.HasPrefix(q, "#") {
			continue
		}
		pq := PackQuery{Line: i + 1, Query: q}
		if !utf8.ValidString(q) {
			pq.Query = strings.ToValidUTF8(q, "\uFFFD")
		}
		pq.Err = CheckQuery(q)
		out = append(out, pq)
	}
	if len(out) == 0 {
		return nil, ErrEmptyPack.Errorf("no line holds a query")
	}
	return out, nil
}

// CheckQuery reports whether q can be read: nil, or a *QueryError saying
// where and what is wrong (errors.Is(err, ErrBadQuery)).
func CheckQuery(q string) error {
	_, err := parseQuery(q)
	var qe *QueryError
	if err != nil && !errors.As(err, &qe) {
		return &QueryError{Query: q, Pos: 1, Msg: err.Error()}
	}
	return err
}
