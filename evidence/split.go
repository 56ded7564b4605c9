package evidence

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// A split raw image is one disk cut into files by a tool that adds a
// counter to the name. The namings joined here, each a dot and a counter
// of fixed width at the end of the name:
//
//	image.001, image.002, …   FTK Imager, dc3dd, most Windows tools (from 1)
//	image.000, image.001, …   dfvfs, split -d -a 3 (from 0; any width of 3 or more)
//	image.00, image.01, …     split -d (from 0)
//	image.aa, image.ab, …     split (letters; any width of 2 or more)
//
// The set is the first segment and the ones that follow it without a gap;
// a later segment beyond a missing one refuses the set, naming the missing
// segment. Each segment is hashed on its own in the one read (see
// segmentHashes).

// splitName is a file name read as a segment of a split set: the name
// before the counter, the counter's width, whether it is letters, and the
// segment's number in the counter's sequence (0 for "000" and "aa").
type splitName struct {
	base    string // the path up to and without the dot
	width   int
	letters bool
	n       int
}

// parseSplit reads path's last extension as a split counter; ok is false
// for any other name.
func parseSplit(path string) (splitName, bool) {
	ext := filepath.Ext(path)
	if len(ext) < 3 {
		return splitName{}, false
	}
	c := ext[1:]
	s := splitName{base: strings.TrimSuffix(path, ext), width: len(c)}
	switch {
	case strings.Trim(c, "0123456789") == "":
		if s.width > 9 {
			return splitName{}, false
		}
		s.n, _ = strconv.Atoi(c)
	case strings.Trim(c, "abcdefghijklmnopqrstuvwxyz") == "":
		if s.width > 6 {
			return splitName{}, false
		}
		s.letters = true
		for _, r := range c {
			s.n = s.n*26 + int(r-'a')
		}
	default:
		return splitName{}, false
	}
	return s, true
}

// path returns the file name of segment number n of s's set.
func (s splitName) path(n int) string {
	if !s.letters {
		return fmt.Sprintf("%s.%0*d", s.base, s.width, n)
	}
	b := make([]byte, s.width)
	for i := s.width - 1; i >= 0; i-- {
		b[i] = byte('a' + n%26)
		n /= 26
	}
	return s.base + "." + string(b)
}

// limit is how many numbers the counter has.
func (s splitName) limit() int {
	n, radix := 1, 10
	if s.letters {
		radix = 26
	}
	for range s.width {
		n *= radix
	}
	return n
}

// first is the number a set of this naming starts at: 1 for three or more
// digits when no segment 0 exists beside it (image.001), else 0.
func (s splitName) first() int {
	if !s.letters && s.width >= 3 && !exists(s.path(0)) {
		return 1
	}
	return 0
}

// exists reports whether a file of that name is there (a link to one
// counts: a named segment is opened through it).
func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// splitSet returns the segment files of the split raw image whose first
// segment is path, in order, and the item's name (the file name without
// the counter); nil when path is not the first segment of a set of two or
// more files. A set with a gap (image.003 beside image.001 and image.004
// but no image.002) is an ErrSource error naming the missing segment; so
// is path when it is a later segment of a set whose first one is beside it.
func splitSet(path string) ([]string, string, error) {
	s, ok := parseSplit(path)
	if !ok {
		return nil, "", nil
	}
	first := s.first()
	if s.n != first {
		if s.n > first && exists(s.path(first)) {
			return nil, "", fmt.Errorf("%w: %s is segment %d of the split image that starts with %s: name the first segment, and the others are read with it",
				ErrSource, path, s.n-first+1, filepath.Base(s.path(first)))
		}
		return nil, "", nil
	}
	segs := []string{path}
	n := first + 1
	for ; n < s.limit() && exists(s.path(n)); n++ {
		segs = append(segs, s.path(n))
	}
	if later := s.laterThan(n); later != "" {
		return nil, "", fmt.Errorf("%w: the split image %s has a gap: segment %s is missing, but %s follows it; copy the missing segment beside the others and ingest the image again",
			ErrSource, filepath.Base(path), filepath.Base(s.path(n)), filepath.Base(later))
	}
	if len(segs) < 2 {
		return nil, "", nil
	}
	return segs, filepath.Base(s.base), nil
}

// laterThan returns the first segment of s's set numbered above n that
// exists, or "".
func (s splitName) laterThan(n int) string {
	entries, err := os.ReadDir(filepath.Dir(s.base))
	if err != nil {
		return ""
	}
	best, at := -1, ""
	for _, e := range entries {
		p := filepath.Join(filepath.Dir(s.base), e.Name())
		o, ok := parseSplit(p)
		if ok && o.base == s.base && o.width == s.width && o.letters == s.letters && o.n > n && (best < 0 || o.n < best) {
			best, at = o.n, p
		}
	}
	return at
}

// splitWarnings checks the sizes of a split set's segments: every one but
// the last is as large as the first, and the last is not larger. Tools
// that split a disk cut it into equal pieces, so another pattern means a
// segment was truncated or replaced; it returns a warning saying which.
func splitWarnings(paths []string, sizes []int64) []string {
	if len(sizes) < 2 {
		return nil
	}
	var out []string
	for i, n := range sizes {
		last := i == len(sizes)-1
		if (!last && n != sizes[0]) || (last && (n > sizes[0] || n == 0)) {
			out = append(out, fmt.Sprintf("segment %s is %d bytes where the set's first segment %s is %d: the tools that split an image cut it into equal pieces (the last one shorter), so a segment may be truncated or from another image — compare each segment's hashes with the acquisition's",
				filepath.Base(paths[i]), n, filepath.Base(paths[0]), sizes[0]))
		}
	}
	return out
}

// consistentSplit reports whether the sizes are those of one image cut
// into equal pieces (see splitWarnings): a folder joins only such sets, so
// that numbered files of another kind (rotated logs) stay items of their own.
func consistentSplit(paths []string) bool {
	sizes := make([]int64, len(paths))
	for i, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return false
		}
		sizes[i] = fi.Size()
	}
	return len(splitWarnings(paths, sizes)) == 0
}

// splitSpecs joins the split sets among the files of a folder: a first
// segment with the segments that follow it becomes one split raw item,
// when their sizes are those of one image cut into equal pieces; its later
// segments are not items of their own. A set with a gap is an error, and
// so is one that holds a virtual disk, unless asIs.
func splitSpecs(files []sourceSpec, asIs bool) ([]sourceSpec, error) {
	claimed := map[string]bool{}
	for i, s := range files {
		if s.format != FormatFile || claimed[s.path] {
			continue
		}
		sn, ok := parseSplit(s.path)
		if !ok || sn.n != sn.first() {
			continue
		}
		segs, name, err := splitSet(s.path)
		if err != nil {
			return nil, err
		}
		if segs == nil || !consistentSplit(segs) {
			continue
		}
		if !asIs {
			if err := splitHoldsVDisk(segs); err != nil {
				return nil, err
			}
		}
		files[i].format, files[i].segments = FormatSplitRaw, segs
		files[i].name = filepath.Join(filepath.Dir(s.name), name)
		for _, p := range segs[1:] {
			claimed[p] = true
		}
	}
	return unclaimed(files, claimed), nil
}

// unclaimed returns files without those whose path is in claimed: the
// later segments and extents that the first file of their set reads.
func unclaimed(files []sourceSpec, claimed map[string]bool) []sourceSpec {
	out := files[:0]
	for _, s := range files {
		if !claimed[s.path] {
			out = append(out, s)
		}
	}
	return out
}
