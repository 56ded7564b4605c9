package export

import (
	"archive/tar"
	"bytes"
	"testing"
)

// FuzzParseSums feeds SHA256SUMS, SHA1SUMS and MD5SUMS text of a bundle to
// the parser: it never panics, and whatever it accepts names only clean
// relative paths.
func FuzzParseSums(f *testing.F) {
	f.Add([]byte(sumLine(sha256Hex(nil), FileReadme)+sumLine(sha256Hex([]byte("x")), "evidence/001-disk.img.age")), 64)
	f.Add([]byte("d41d8cd98f00b204e9800998ecf8427e  evidence/001-a\n"), 32)
	f.Add([]byte("da39a3ee5e6b4b0d3255bfef95601890afd80709  ../etc/passwd\n"), 40)
	f.Add([]byte(" \n\n"), 64)
	f.Fuzz(func(t *testing.T, data []byte, n int) {
		n = []int{32, 40, 64}[uint(n)%3]
		sums, order, err := parseSums(data, n)
		if err != nil {
			return
		}
		if len(sums) != len(order) {
			t.Fatalf("%d sums, %d names", len(sums), len(order))
		}
		for _, name := range order {
			if checkRelPath(name) != nil || len(sums[name]) != n {
				t.Fatalf("accepted %q %q", name, sums[name])
			}
		}
	})
}

// FuzzReadCaseTar feeds tar archives to the reader of case.tar: it never
// panics, and what it accepts is regular files below case/ with clean
// relative names.
func FuzzReadCaseTar(f *testing.F) {
	mk := func(hs ...tar.Header) []byte {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		for _, h := range hs {
			h := h
			tw.WriteHeader(&h)
			if h.Typeflag == tar.TypeReg {
				tw.Write(make([]byte, h.Size))
			}
		}
		tw.Close()
		return b.Bytes()
	}
	f.Add(mk(tar.Header{Typeflag: tar.TypeDir, Name: "case/", Mode: 0o755},
		tar.Header{Typeflag: tar.TypeReg, Name: FileManifest, Size: 3, Mode: 0o644}))
	f.Add(mk(tar.Header{Typeflag: tar.TypeReg, Name: "case/../x", Size: 1, Mode: 0o644}))
	f.Add(mk(tar.Header{Typeflag: tar.TypeSymlink, Name: "case/l", Linkname: "/etc/passwd"}))
	f.Add(mk(tar.Header{Typeflag: tar.TypeChar, Name: "case/dev", Devmajor: 1, Devminor: 3}))
	f.Fuzz(func(t *testing.T, data []byte) {
		files, err := readCaseTar(bytes.NewReader(data))
		if err != nil {
			return
		}
		for name := range files {
			if checkRelPath(name) != nil || len(name) < len(DirCase)+2 || name[:len(DirCase)+1] != DirCase+"/" {
				t.Fatalf("accepted %q", name)
			}
		}
	})
}

// FuzzTrustedFields: any comment parses or is refused, without a panic.
func FuzzTrustedFields(f *testing.F) {
	f.Add("custodia-export\tcase=a\texport=b\thead=1:c\ttime=d")
	f.Add("timestamp:1614718943\tfilename:message.txt")
	f.Fuzz(func(t *testing.T, s string) {
		if m, ok := TrustedFields(s); ok && (m["case"] == "" || m["export"] == "") {
			t.Fatalf("accepted %q without ids", s)
		}
	})
}
