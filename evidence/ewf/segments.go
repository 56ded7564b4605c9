package ewf

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// maxSegments is the most segment files a set can have: the file header
// holds a 16-bit segment number, and .ZZZ is the last extension.
const maxSegments = 14971

// segmentPath returns the name of segment n (1 is the first) of the set
// whose first segment is first: .E01 … .E99, then .EAA … .EZZ, .FAA … .ZZZ
// (libewf's scheme; .s01 sets likewise from .s). The letter case follows
// the first segment's extension. ok is false when first does not end in a
// segment extension or n is beyond the scheme.
func segmentPath(first string, n int) (path string, ok bool) {
	ext := filepath.Ext(first)
	if len(ext) != 4 || ext[2:] != "01" || n < 1 || n > maxSegments {
		return "", false
	}
	letter := ext[1]
	lower := letter >= 'a' && letter <= 'z'
	if lower {
		letter -= 'a' - 'A'
	}
	if letter < 'A' || letter > 'Z' {
		return "", false
	}
	var suffix string
	if n <= 99 {
		suffix = fmt.Sprintf("%c%02d", letter, n)
	} else {
		k := n - 100
		c1 := int(letter) + k/(26*26)
		if c1 > 'Z' {
			return "", false
		}
		suffix = string([]byte{byte(c1), byte('A' + k/26%26), byte('A' + k%26)})
	}
	if lower {
		suffix = strings.ToLower(suffix)
	}
	return strings.TrimSuffix(first, ext) + "." + suffix, true
}

// findSegment returns the existing file for segment n, trying the first
// segment's letter case and then the other (a set copied through a file
// system that changed case), or "" when neither exists.
func findSegment(first string, n int) (want string, found string) {
	want, ok := segmentPath(first, n)
	if !ok {
		return "", ""
	}
	if fi, err := os.Stat(want); err == nil && fi.Mode().IsRegular() {
		return want, want
	}
	ext := filepath.Ext(want)
	alt := strings.TrimSuffix(want, ext) + swapCase(ext)
	if fi, err := os.Stat(alt); err == nil && fi.Mode().IsRegular() {
		return want, alt
	}
	return want, ""
}

func swapCase(s string) string {
	if strings.ToUpper(s) == s {
		return strings.ToLower(s)
	}
	return strings.ToUpper(s)
}

// SegmentFiles returns the files of the segment set whose first segment is
// first that exist next to it, in order and by name alone (first, .E02, …
// up to the first gap). It reads no file; Open checks what they hold.
// A folder walk uses it to keep the later segments from being taken for
// items of their own.
func SegmentFiles(first string) []string {
	out := []string{first}
	for n := 2; ; n++ {
		_, found := findSegment(first, n)
		if found == "" {
			return out
		}
		out = append(out, found)
	}
}

// IsFirstSegment reports whether head, the first bytes of a file, is the
// file header of the first segment of an EWF image (of any variant).
// EWF2 files count as first segments: their header differs, and Open
// refuses them with ErrUnsupported anyway.
func IsFirstSegment(head []byte) bool {
	if !IsEWF(head) {
		return false
	}
	switch string(head[:sigBytes]) {
	case sigEVF2, sigLEF2:
		return true
	}
	return len(head) >= fileHeaderSize && head[9] == 1 && head[10] == 0
}
