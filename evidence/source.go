package evidence

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence/ewf"
	"github.com/custodia-dfir/custodia/evidence/vdisk"
)

// Source formats.
const (
	FormatFile        = "file"         // one regular file: raw/dd image, log, memory dump
	FormatSplitRaw    = "split-raw"    // image.001, image.002, … (or .000, .00, .aa; see split.go) read as one image
	FormatBlockDevice = "block-device" // a disk opened read-only
	FormatE01         = "e01"          // Expert Witness (E01) image, read as the media it holds
)

// ErrSource is wrapped by every problem with a source: unreadable, not a
// file, vanished, shrank, changed during the read.
var ErrSource = casefile.NewKind("evidence", "source problem",
	"check the path, that the source is complete and that nothing writes to it during the ingest; a source that changes cannot be hashed reliably")

// ErrUnsupported means the source is of a format Custodia cannot read yet.
var ErrUnsupported = casefile.NewKind("evidence", "unsupported source format",
	"this format cannot be read yet: convert the image to raw (dd) or E01 with the tool that made it and add that, or add the file as it is with kind Other")

// sourceSpec is one item to ingest, before it is opened.
type sourceSpec struct {
	name     string   // display name
	path     string   // what the examiner named (absolute)
	format   string   // Format*
	segments []string // split raw: the segment files in order
}

// expand turns what an examiner named into items: a file is one item
// (split raw segments one item together, an E01's segments and a VMDK's
// extents too), a directory one item per regular file below it, in name
// order; the other entries below a directory (links, pipes, sockets,
// devices) are returned as skipped, in name order. With asIs, E01 images
// and virtual disks are files like any other, read as the bytes they are
// rather than as the media they hold.
func expand(path string, asIs bool) ([]sourceSpec, []Skipped, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, nil, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, nil, sourceErr(abs, err)
	}
	switch {
	case fi.IsDir():
		var out []sourceSpec
		var skipped []Skipped
		err := filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return sourceErr(p, err)
			}
			switch t := d.Type(); {
			case t.IsRegular():
				rel, _ := filepath.Rel(abs, p)
				out = append(out, sourceSpec{name: filepath.Join(filepath.Base(abs), rel), path: p, format: FormatFile})
			case !t.IsDir():
				skipped = append(skipped, skip(p, t))
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		if len(out) == 0 {
			if len(skipped) > 0 {
				return nil, skipped, fmt.Errorf("%w: %s: the folder holds no regular files, only %s (%s), which are not read", ErrSource, abs,
					plural(len(skipped), "entry", "entries"), skippedKinds(skipped))
			}
			return nil, nil, fmt.Errorf("%w: %s: the folder holds no regular files", ErrSource, abs)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
		if !asIs {
			out = e01Specs(out)
		}
		if out, err = splitSpecs(out, asIs); err != nil {
			return nil, skipped, err
		}
		if !asIs {
			if out, err = vdiskSpecs(out); err != nil {
				return nil, skipped, err
			}
		}
		return out, skipped, nil
	case fi.Mode()&fs.ModeCharDevice != 0:
		return nil, nil, fmt.Errorf("%w: %s is a character device (a terminal, /dev/zero, a tape…), not a disk; name the block device (e.g. /dev/sdb) or an image file", ErrSource, abs)
	case fi.Mode()&fs.ModeDevice != 0:
		return []sourceSpec{{name: filepath.Base(abs), path: abs, format: FormatBlockDevice}}, nil, nil
	case !fi.Mode().IsRegular():
		return nil, nil, fmt.Errorf("%w: %s is not a regular file, folder or block device", ErrSource, abs)
	}
	if !asIs && isE01Path(abs, readHead(abs, 16)) {
		return []sourceSpec{{name: filepath.Base(abs), path: abs, format: FormatE01}}, nil, nil
	}
	segs, name, err := splitSet(abs)
	if err != nil {
		return nil, nil, err
	}
	if segs != nil {
		if !asIs {
			if err := splitHoldsVDisk(segs); err != nil {
				return nil, nil, err
			}
		}
		return []sourceSpec{{name: name, path: abs, format: FormatSplitRaw, segments: segs}}, nil, nil
	}
	if !asIs {
		f, err := detectVDisk(abs)
		if err != nil {
			return nil, nil, err
		}
		if f != "" {
			return []sourceSpec{{name: filepath.Base(abs), path: abs, format: f}}, nil, nil
		}
	}
	return []sourceSpec{{name: filepath.Base(abs), path: abs, format: FormatFile}}, nil, nil
}

func sourceErr(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: %s does not exist: %w", ErrSource, path, fs.ErrNotExist)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%w: %s cannot be read (permission denied): %w", ErrSource, path, fs.ErrPermission)
	}
	return fmt.Errorf("%w: %s: %w", ErrSource, path, err)
}

// openReadOnly opens a source file for reading only. On Linux it asks for
// O_NOATIME too, so reading does not even change the access time, and falls
// back when the file system or ownership does not allow it.
func openReadOnly(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|noatime, 0)
	if err != nil && noatime != 0 {
		f, err = os.OpenFile(path, os.O_RDONLY, 0)
	}
	if err != nil {
		return nil, sourceErr(path, err)
	}
	return f, nil
}

// openedSource is a source being read.
type openedSource struct {
	spec  sourceSpec
	r     io.Reader
	size  int64
	files []*os.File
	stats []os.FileInfo
	meta  map[string]string // acquisition facts known from the source
	head  []byte            // first bytes, for kind detection
	e01   *ewf.Image        // the image, for an E01 source (files are its segments)
	warns []string          // warnings known from opening the source

	// A virtual disk source: the disk (files are its container files), its
	// sequential reader, the checksum failure it was opened despite (nil
	// when none), and the hashing of its container files.
	vd          vdisk.Disk
	vr          io.ReadCloser
	badChecksum *vdisk.Error
	hasher      *fileHasher

	// fileTail is set when files[mediaFile] is the content as it is,
	// followed by these bytes (a fixed VHD: the disk, then its footer; a
	// VMDK's one flat extent: the disk): the pump computes that file's
	// hashes from copies of the content's hash states, so no byte is
	// hashed twice. The other files (a VMDK's descriptor) are small and
	// were hashed when the source was opened. fileSums holds each file's
	// hashes, in files' order.
	fileTail  []byte
	mediaFile int
	fileSums  []casefile.Hashes

	// segs hashes the files of a split raw, E01 or virtual disk source each
	// on its own during the one read (nil when not asked for, and for a
	// single plain file); bounds says where each split raw segment starts
	// in the content (the pump cuts blocks there), nil for E01, whose
	// segment files the ewf stream hands over as it reads them, and for a
	// virtual disk, whose files the hasher reads beside the disk.
	segs   *segmentHashes
	bounds []int64
}

func (s *openedSource) Close() {
	s.hasher.cancel() // before the files it reads are closed
	if s.vr != nil {
		s.vr.Close()
	}
	for _, f := range s.files {
		f.Close()
	}
	if s.e01 != nil {
		s.e01.Close()
	}
	if s.vd != nil {
		s.vd.Close()
	}
	s.segs.close()
}

// openSource opens what spec names for reading. With segmentHashes, a
// source of several files (split raw, E01) and a container (E01, virtual
// disk) also hashes each file on its own as it is read (containerFiles
// returns them).
func openSource(spec sourceSpec, segmentHashes bool) (*openedSource, error) {
	if _, vd := vdiskFormats[spec.format]; spec.format == FormatE01 || vd {
		open := openE01
		if vd {
			open = openVDisk
		}
		s, err := open(spec, segmentHashes)
		if err != nil {
			return nil, err
		}
		if err := s.peekHead(); err != nil {
			return nil, err
		}
		return s, nil
	}
	s := &openedSource{spec: spec, meta: map[string]string{}}
	paths := spec.segments
	if len(paths) == 0 {
		paths = []string{spec.path}
	}
	var readers []io.Reader
	for _, p := range paths {
		f, fi, err := s.addFile(p)
		if err != nil {
			return nil, err
		}
		size := fi.Size()
		if spec.format == FormatBlockDevice {
			if size, err = f.Seek(0, io.SeekEnd); err == nil {
				_, err = f.Seek(0, io.SeekStart)
			}
			if err != nil {
				s.Close()
				return nil, sourceErr(p, err)
			}
			for k, v := range blockDeviceFacts(p) {
				s.meta[k] = v
			}
		} else if !fi.Mode().IsRegular() {
			s.Close()
			return nil, fmt.Errorf("%w: %s is not a regular file", ErrSource, p)
		}
		s.bounds = append(s.bounds, s.size)
		s.size += size
		readers = append(readers, io.LimitReader(f, size))
	}
	s.r = io.MultiReader(readers...)
	if len(paths) > 1 {
		sizes := make([]int64, len(s.stats))
		for i, fi := range s.stats {
			sizes[i] = fi.Size()
		}
		s.warns = splitWarnings(paths, sizes)
	}
	if len(paths) > 1 && segmentHashes {
		s.segs = newSegmentHashes(len(paths), segmentDepth)
	} else {
		s.bounds = nil
	}
	if err := s.peekHead(); err != nil {
		return nil, err
	}
	return s, nil
}

// peekHead reads the first bytes for kind detection without consuming
// them. On failure it closes s.
func (s *openedSource) peekHead() error {
	head := make([]byte, 8192)
	n, err := io.ReadFull(s.r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		s.Close()
		switch {
		case s.e01 != nil:
			return fmt.Errorf("%w: %w", ErrSource, err)
		case s.vd != nil:
			return err // a vdiskError already
		}
		return sourceErr(s.spec.path, err)
	}
	s.head = head[:n]
	s.r = io.MultiReader(strings.NewReader(string(s.head)), s.r)
	return nil
}

// finishMeta adds to an item's record what is known only once its content
// was read: the files' own hashes, the warnings of opening it, for an E01
// the check of the content against the hashes stored in the image, and
// for a virtual disk what its reader found.
func (s *openedSource) finishMeta(meta *casefile.EvidenceMeta) error {
	cf, err := s.containerFiles()
	if err != nil {
		return err
	}
	meta.Container = cf
	meta.Warnings = append(meta.Warnings, s.warns...)
	if s.e01 != nil {
		s.finishE01(meta)
	}
	if s.vd != nil {
		s.finishVDisk(meta)
	}
	return nil
}

// addFile opens one file of the source read-only and keeps it, with its
// state at open, for the change check. On failure it closes the source.
func (s *openedSource) addFile(p string) (*os.File, os.FileInfo, error) {
	f, err := openReadOnly(p)
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	s.files = append(s.files, f)
	fi, err := f.Stat()
	if err != nil {
		s.Close()
		return nil, nil, sourceErr(p, err)
	}
	s.stats = append(s.stats, fi)
	return f, fi, nil
}

// changed reports how a source changed while it was read, "" if it did not.
func (s *openedSource) changed() string {
	if s.spec.format == FormatBlockDevice {
		return ""
	}
	for i, f := range s.files {
		fi, err := os.Stat(f.Name())
		if err != nil {
			return fmt.Sprintf("%s vanished while it was read", f.Name())
		}
		was := s.stats[i]
		if fi.Size() != was.Size() || !fi.ModTime().Equal(was.ModTime()) {
			return fmt.Sprintf("%s changed while it was read (size %d → %d, modified %s → %s)", f.Name(), was.Size(), fi.Size(),
				was.ModTime().UTC().Format("2006-01-02T15:04:05.000Z"), fi.ModTime().UTC().Format("2006-01-02T15:04:05.000Z"))
		}
		if !os.SameFile(fi, was) {
			return fmt.Sprintf("%s was replaced by another file while it was read", f.Name())
		}
	}
	return ""
}

// segmentDepth is how many pieces each segment hash may have queued.
const segmentDepth = 16

// containerFiles lists the files of a multi-file source with their own
// hashes, computed during the read; nil for a single file. It must be
// called once the content was read to its end.
func (s *openedSource) containerFiles() ([]casefile.ContainerFile, error) {
	if s.fileTail != nil {
		var out []casefile.ContainerFile
		for i, f := range s.files {
			out = append(out, casefile.ContainerFile{Path: f.Name(), Size: s.stats[i].Size(), Hashes: s.fileSums[i]})
		}
		return out, nil
	}
	if s.segs == nil {
		return nil, nil
	}
	if err := s.hasher.wait(); err != nil {
		return nil, err
	}
	sums, sizes := s.segs.sums()
	var out []casefile.ContainerFile
	for i, f := range s.files {
		if sizes[i] != s.stats[i].Size() {
			return nil, fmt.Errorf("%w: %s: %d of its %d bytes were read: it changed while it was read", ErrSource, f.Name(), sizes[i], s.stats[i].Size())
		}
		out = append(out, casefile.ContainerFile{Path: f.Name(), Size: s.stats[i].Size(), Hashes: sums[i]})
	}
	return out, nil
}
