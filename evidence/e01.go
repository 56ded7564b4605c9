package evidence

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence/ewf"
)

// An E01 (Expert Witness) image is ingested as the media it holds: the
// pipeline reads the media through evidence/ewf, so the item's hashes,
// extraction and verification are of the acquired disk, not of the
// container. The segment files are kept apart as Container entries with
// their own hashes, the acquisition metadata stored in the image goes to
// Acquisition, and the media hashes are compared with the ones the
// acquiring tool stored. A mismatch does not stop the ingest: the item is
// sealed as read, with a warning a person cannot miss.

// isE01Path reports whether a file is to be read as an EWF image: it
// starts with an EWF signature or its name ends in .E01.
func isE01Path(path string, head []byte) bool {
	return ewf.IsEWF(head) || strings.EqualFold(filepath.Ext(path), ".e01")
}

// readHead returns the first bytes of a file (fewer when it is shorter).
func readHead(path string, n int) []byte {
	f, err := openReadOnly(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	b := make([]byte, n)
	k, _ := io.ReadFull(f, b)
	return b[:k]
}

// e01Specs turns the files of a folder into items, making each E01 image
// one item and keeping its later segments from being items of their own.
func e01Specs(files []sourceSpec) []sourceSpec {
	claimed := map[string]bool{}
	for i, s := range files {
		head := readHead(s.path, 16)
		if !isE01Path(s.path, head) {
			continue
		}
		files[i].format = FormatE01
		if ewf.IsFirstSegment(head) {
			for _, p := range ewf.SegmentFiles(s.path)[1:] {
				claimed[p] = true
			}
		}
	}
	out := files[:0]
	for _, s := range files {
		if !claimed[s.path] {
			out = append(out, s)
		}
	}
	return out
}

// openE01 opens an EWF image as a source of its media. With
// segmentHashes, the segment files are hashed as the media is read: the
// ewf stream reads each file once, from start to end, and hands every byte
// to the hashes.
func openE01(spec sourceSpec, segmentHashes bool) (*openedSource, error) {
	im, err := ewf.Open(spec.path)
	if err != nil {
		return nil, e01Err(spec.path, err)
	}
	s := &openedSource{spec: spec, meta: map[string]string{}, e01: im, size: im.Size()}
	var tee ewf.Tee
	if segmentHashes {
		s.segs = newSegmentHashes(len(im.Segments()), segmentDepth)
		tee = func(seg int, raw []byte, release func()) {
			s.segs.write(seg, raw, refCount(int32(s.segs.n()), release))
		}
	}
	s.r = im.Stream(tee)
	// The segment files are opened again for the change check.
	for _, p := range im.Segments() {
		if _, _, err := s.addFile(p); err != nil {
			return nil, err
		}
	}
	h := im.Header()
	for k, v := range h {
		s.meta["e01_"+k] = v
	}
	for from, to := range map[string]string{"examiner": "examiner", "model": "model", "serial": "serial"} {
		if v := h[from]; v != "" {
			s.meta[to] = v
		}
	}
	if t, err := time.Parse(time.RFC3339, h["acquisition_date"]); err == nil {
		s.meta["acquired_at"] = t.UTC().Format(time.RFC3339)
	}
	if tool := strings.TrimSpace(strings.Join([]string{h["tool"], h["tool_version"]}, " ")); tool != "" {
		if h["os"] != "" {
			tool += " on " + h["os"]
		}
		s.meta["tool"] = tool
	}
	s.meta["e01_segments"] = fmt.Sprint(len(im.Segments()))
	s.meta["e01_chunk_size"] = fmt.Sprint(im.ChunkSize())
	s.meta["e01_stored_md5"] = im.StoredMD5()
	s.meta["e01_stored_sha1"] = im.StoredSHA1()
	for k, v := range s.meta {
		if v == "" {
			delete(s.meta, k)
		}
	}
	return s, nil
}

// e01Err maps an ewf error to this package's sentinels, keeping both.
func e01Err(path string, err error) error {
	switch {
	case errors.Is(err, ewf.ErrUnsupported):
		return fmt.Errorf("%w: %w", ErrUnsupported, err)
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		return sourceErr(path, err)
	case errors.Is(err, ewf.ErrFormat) && !ewf.IsEWF(readHead(path, 16)):
		return fmt.Errorf("%w: %w (the name ends in .E01; if this is a raw image, rename it, e.g. to .dd, and ingest it again)", ErrSource, err)
	}
	return fmt.Errorf("%w: %w", ErrSource, err)
}

// finishE01 completes an E01 item's record once its media was read: the
// check of the media hashes against the ones stored in the image, and the
// image's notes.
func (s *openedSource) finishE01(meta *casefile.EvidenceMeta) {
	a := meta.Acquisition
	storedMD5, storedSHA1 := s.e01.StoredMD5(), s.e01.StoredSHA1()
	var bad []string
	if storedMD5 != "" && storedMD5 != meta.Hashes.MD5 {
		bad = append(bad, fmt.Sprintf("E01 stored MD5 %s does not match the content's MD5 %s", storedMD5, meta.Hashes.MD5))
	}
	if storedSHA1 != "" && storedSHA1 != meta.Hashes.SHA1 {
		bad = append(bad, fmt.Sprintf("E01 stored SHA-1 %s does not match the content's SHA-1 %s", storedSHA1, meta.Hashes.SHA1))
	}
	switch {
	case len(bad) > 0:
		a["e01_hash_check"] = "MISMATCH: " + strings.Join(bad, "; ")
		meta.Warnings = append(meta.Warnings, strings.Join(bad, "; ")+
			": the media read from the image is not what the acquiring tool hashed (damaged or altered after acquisition, or the tool hashed other bytes); "+
			"it was ingested as read — do not rely on it before the acquisition is checked against the original")
	case storedMD5 == "" && storedSHA1 == "":
		a["e01_hash_check"] = "no stored hash"
		meta.Warnings = append(meta.Warnings, "the E01 image stores no MD5 or SHA-1 of its media, so its content cannot be checked against the acquisition")
	default:
		a["e01_hash_check"] = "match"
	}
	for _, n := range s.e01.Notes() {
		meta.Warnings = append(meta.Warnings, "E01: "+n)
	}
}
