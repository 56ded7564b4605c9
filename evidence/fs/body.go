package fs

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteBody writes every entry of f (recursively, deleted ones too, named
// "NAME (deleted)" as TSK names them) as a TSK 3 body file line:
//
//	MD5|name|inode|mode_as_string|UID|GID|size|atime|mtime|ctime|crtime
//
// with times in seconds since 1970 (0 where the file system has none),
// MD5 0, and each name prefixed by mount (e.g. "C:" or "/"), as `fls -r -m
// MOUNT` writes it; mactime reads it. NTFS streams get lines of their own
// ("NAME:STREAM"), as fls writes them. It returns the number of lines.
func WriteBody(w io.Writer, f FS, mount string, onProblem func(string)) (int, error) {
	bw := bufio.NewWriter(w)
	n := 0
	mount = strings.TrimSuffix(mount, "/")
	err := Walk(f, f.Root(), true, true, func(e *Entry) error {
		line := func(name string, size int64) {
			if e.Deleted {
				name += " (deleted)"
			}
			fmt.Fprintf(bw, "0|%s|%d|%s|%d|%d|%d|%d|%d|%d|%d\n", bodyEscape(mount+name), e.Inode, modeString(e), e.UID, e.GID, size,
				unixOr0(e.A), unixOr0(e.M), unixOr0(e.C), unixOr0(e.B))
			n++
		}
		line(e.Path, e.Size)
		for _, s := range e.Streams {
			if s.Name != "" {
				line(e.Path+":"+s.Name, s.Size)
			}
		}
		return nil
	}, onProblem)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return n, err
}

// bodyEscape keeps a hostile name on its line and in its field: "|" and
// control characters are written as \xNN.
func bodyEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '|' || r < 0x20 || r == 0x7F {
			fmt.Fprintf(&b, `\x%02x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unixOr0(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return t.Unix()
}

// modeString is TSK's "r/rrw-r--r--": the directory entry's type, "/", the
// metadata's type and permissions (rwxrwxrwx where the file system has
// none).
func modeString(e *Entry) string {
	t := map[string]string{TypeFile: "r", TypeDir: "d", TypeLink: "l", TypeDevice: "b", TypeFIFO: "p", TypeSocket: "s"}[e.Type]
	if t == "" {
		t = "-"
	}
	perm := "rwxrwxrwx"
	if e.Mode != 0 {
		var b [9]byte
		for i, c := range "rwxrwxrwx" {
			if e.Mode&(1<<(8-i)) != 0 {
				b[i] = byte(c)
			} else {
				b[i] = '-'
			}
		}
		perm = string(b[:])
	}
	return t + "/" + t + perm
}
