package evidence

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence/vdisk"
	"github.com/custodia-dfir/custodia/evidence/vdisk/vhd"
	"github.com/custodia-dfir/custodia/evidence/vdisk/vmdk"
)

// A virtual disk — VHD (Azure, Virtual PC), VHDX (Hyper-V), VMDK (VMware)
// or QCOW2 (KVM, OpenStack) — is ingested as the disk it holds, like an
// E01: the pipeline reads the virtual disk through evidence/vdisk, so the
// item's size, hashes, extraction and verification are those of the disk
// a hypervisor or `qemu-img convert -O raw` shows, not of the container.
// Unallocated regions read as zeros, and a sealed chunk of zeros holds a
// few hundred bytes (248 for 1 MiB). The container files (one, or a
// VMDK's descriptor and extents) are kept apart as Container entries with
// their own hashes, computed during the same ingest: each file is read
// from start to end beside the disk's read (the readers read a container
// in the disk's order, not the file's) and hashed on its own; a file that
// is the disk's bytes as they are (a fixed VHD, then its footer; a flat
// VMDK extent) takes its hashes from copies of the disk's hash states
// instead, so its bytes are hashed once. What the container records goes to
// Acquisition under keys vhd_, vhdx_, vmdk_ and qcow2_. A structure whose
// checksum fails with no intact copy does not stop the ingest: the disk is
// read accepting it, and the item is sealed with a warning a person cannot
// miss. A disk that needs its parent, an encrypted one and variants the
// readers do not read are refused with ErrUnsupported and a hint.

// Virtual disk source formats.
const (
	FormatVHD   = "vhd"   // Microsoft VHD, fixed or dynamic, read as the disk it holds
	FormatVHDX  = "vhdx"  // Microsoft VHDX, fixed or dynamic
	FormatVMDK  = "vmdk"  // VMware VMDK: descriptor and extents, sparse, streamOptimized, flat, split
	FormatQCOW2 = "qcow2" // QEMU QCOW2, version 2 or 3, compressed or not
)

// vdiskFormats maps the source formats above to the readers' formats.
var vdiskFormats = map[string]vdisk.Format{
	FormatVHD: vdisk.VHD, FormatVHDX: vdisk.VHDX, FormatVMDK: vdisk.VMDK, FormatQCOW2: vdisk.QCOW2,
}

// sourceFormatOf is the source format of a virtual disk format.
func sourceFormatOf(f vdisk.Format) string { return strings.ToLower(string(f)) }

// detectVDisk returns the source format of the file at path when it is a
// virtual disk by its signature, else "".
func detectVDisk(path string) (string, error) {
	f, err := vdisk.DetectFile(path)
	if err != nil {
		return "", sourceErr(path, err)
	}
	if f == vdisk.None {
		return "", nil
	}
	if f == vdisk.VMDK && !strongVMDK(readHead(path, 64)) {
		// Text that merely mentions createType (a VMware log, notes) is a
		// descriptor only if it parses as one.
		if _, err := vdisk.Files(path, f); err != nil {
			return "", nil
		}
	}
	return sourceFormatOf(f), nil
}

// strongVMDK reports whether a file's first bytes say VMDK for certain: a
// sparse extent's magic or the comment line a descriptor starts with.
func strongVMDK(head []byte) bool {
	s := strings.TrimLeft(string(head), "\ufeff \t\r\n")
	return strings.HasPrefix(s, "KDMV") || strings.HasPrefix(s, "COWD") || strings.HasPrefix(s, "# Disk DescriptorFile")
}

// vdiskSpecs marks the virtual disks among the files of a folder, and
// keeps the files a VMDK descriptor names (its extents) from being items
// of their own: they are read with it.
func vdiskSpecs(files []sourceSpec) ([]sourceSpec, error) {
	claimed := map[string]bool{}
	for i, s := range files {
		if s.format != FormatFile {
			continue
		}
		f, err := detectVDisk(s.path)
		if err != nil {
			return nil, err
		}
		if f == "" {
			continue
		}
		files[i].format = f
		if f == FormatVMDK {
			parts, err := vdisk.Files(s.path, vdisk.VMDK)
			if err != nil {
				// An extent of a split set is a VMDK too: its descriptor
				// claims it, or opening it says what it is.
				continue
			}
			for _, p := range parts[1:] {
				claimed[p] = true
			}
		}
	}
	return unclaimed(files, claimed), nil
}

// splitHoldsVDisk refuses a split set whose content is a virtual disk's
// container (a VHD cut into pieces for a transfer): joined, it would be an
// item of container bytes that looks like a disk.
func splitHoldsVDisk(segs []string) error {
	head := readHead(segs[0], vdisk.HeadSize)
	tail := readTail(segs[len(segs)-1], vdisk.TailSize)
	f := vdisk.Detect(head, tail)
	if f == vdisk.None {
		return nil
	}
	return fmt.Errorf("%w: the split image %s holds a %s virtual disk cut into %d pieces, which is read only whole: join the pieces into one file (cat, or copy /b on Windows) and ingest that; to keep the pieces as they are, ingest them with kind other",
		ErrUnsupported, segs[0], f, len(segs))
}

// readTail returns the last bytes of a file (fewer when it is shorter).
func readTail(path string, n int64) []byte {
	f, err := openReadOnly(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil
	}
	b := make([]byte, min(n, fi.Size()))
	k, _ := f.ReadAt(b, fi.Size()-int64(len(b)))
	return b[:k]
}

// openVDisk opens a virtual disk as a source of the disk it holds. With
// segmentHashes, its container files are hashed, each on its own, while
// the disk is read.
func openVDisk(spec sourceSpec, segmentHashes bool) (*openedSource, error) {
	d, err := vdisk.OpenAs(spec.path, vdiskFormats[spec.format], vdisk.Options{})
	var badChecksum *vdisk.Error
	if errors.Is(err, vdisk.ErrChecksum) && errors.As(err, &badChecksum) {
		// Read it as it is; the item says what failed, loudly.
		d, err = vdisk.OpenAs(spec.path, vdiskFormats[spec.format], vdisk.Options{AcceptBadChecksums: true})
	}
	if err != nil {
		return nil, vdiskErr(spec.path, err)
	}
	s := &openedSource{spec: spec, meta: map[string]string{}, vd: d, badChecksum: badChecksum, size: d.Size()}
	var sizes []int64
	for _, p := range d.Files() {
		_, fi, err := s.addFile(p)
		if err != nil {
			return nil, err
		}
		sizes = append(sizes, fi.Size())
	}
	s.vr = vdisk.NewReader(d)
	s.r = &vdiskReader{r: s.vr, path: spec.path}
	if segmentHashes && s.shareMediaHashes(sizes) {
		segmentHashes = false
	}
	if segmentHashes {
		s.segs = newSegmentHashes(len(s.files), segmentDepth)
		s.hasher = hashFiles(s.files, sizes, s.segs)
	}
	for k, v := range d.Metadata() {
		if v != "" {
			s.meta[k] = v
		}
	}
	return s, nil
}

// mediaFileOf returns the index in d.Files() of the container file that
// holds the disk's bytes as they are from its first byte on: a fixed
// VHD's file (the disk, then its footer), or a VMDK's one flat extent
// when it starts at the extent file's first sector (monolithicFlat, and
// the vmfs disks of ESXi).
func mediaFileOf(d vdisk.Disk) (int, bool) {
	switch d := d.(type) {
	case *vhd.Disk:
		return 0, d.SubFormat() == "fixed"
	case *vmdk.Disk:
		ext := d.Descriptor().Extents
		if len(ext) == 1 && (ext[0].Type == "FLAT" || ext[0].Type == "VMFS") && ext[0].Offset == 0 &&
			ext[0].Sectors*512 == d.Size() && len(d.Files()) == 2 {
			return 1, true
		}
	}
	return 0, false
}

// maxSmallFile bounds what shareMediaHashes reads into memory: the bytes
// after the disk in its file (a VHD footer), and each other file (a VMDK
// descriptor).
const maxSmallFile = 1 << 20

// shareMediaHashes prepares the hashing of a container whose disk bytes
// are one of its files as they are (mediaFileOf): the bytes after the
// disk in that file are kept for the pump, the other files are hashed now.
// It returns false, changing nothing, when the container is not of that
// shape; its files are then hashed as they are read.
func (s *openedSource) shareMediaHashes(sizes []int64) bool {
	i, ok := mediaFileOf(s.vd)
	if !ok || sizes[i] < s.size || sizes[i]-s.size > maxSmallFile {
		return false
	}
	read := func(f *os.File, off, n int64) ([]byte, bool) {
		b := make([]byte, n)
		k, _ := f.ReadAt(b, off)
		return b, k == len(b) // a short read is reported by the hasher, which reads the file next
	}
	tail, ok := read(s.files[i], s.size, sizes[i]-s.size)
	if !ok {
		return false
	}
	sums := make([]casefile.Hashes, len(s.files))
	for k, f := range s.files {
		if k == i {
			continue
		}
		if sizes[k] > maxSmallFile {
			return false
		}
		b, ok := read(f, 0, sizes[k])
		if !ok {
			return false
		}
		h := newHashStream()
		h.write(b)
		sums[k] = h.sum()
	}
	s.fileTail, s.mediaFile, s.fileSums = tail, i, sums
	return true
}

// vdiskReader reads the disk, reporting its errors as vdiskErr does.
type vdiskReader struct {
	r    io.Reader
	path string
}

func (r *vdiskReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = vdiskErr(r.path, err)
	}
	return n, err
}

// vdiskErr maps an error of the virtual-disk readers to this package's
// kinds: a disk that needs its parent, an encrypted one or a variant not
// read here is ErrUnsupported; damage, a failed checksum and a missing
// extent are ErrSource. The error keeps vdisk's, with its hint.
func vdiskErr(path string, err error) error {
	switch {
	case errors.Is(err, vdisk.ErrNeedsParent), errors.Is(err, vdisk.ErrEncrypted), errors.Is(err, vdisk.ErrUnsupported):
		return &vdiskError{kind: ErrUnsupported, err: err}
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		return sourceErr(path, err)
	}
	var e *vdisk.Error
	if errors.As(err, &e) {
		return &vdiskError{kind: ErrSource, err: err}
	}
	return fmt.Errorf("%w: %s: %w", ErrSource, path, err)
}

// vdiskError is a virtual disk's problem as the ingest reports it: of a
// kind of this package (errors.Is), with the reader's error (errors.As
// finds the *vdisk.Error) and the reader's hint.
type vdiskError struct {
	kind *casefile.Kind
	err  error
}

func (e *vdiskError) Error() string { return e.kind.Error() + ": " + e.err.Error() }

func (e *vdiskError) Unwrap() []error { return []error{e.kind, e.err} }

// Hint says what to do: the reader's hint, and how to keep the container
// in the case all the same (it is evidence even when it cannot be read as
// a disk).
func (e *vdiskError) Hint() string {
	h := vdisk.Hint(e.err)
	var ve *vdisk.Error
	if errors.Is(e.err, vdisk.ErrChecksum) && (!errors.As(e.err, &ve) || ve.Hint == "") {
		// The ingest accepts the checksums a reader can accept (headers,
		// footers); one that fails in the disk's data is damage.
		h = vdisk.Hint(vdisk.ErrCorrupt)
	}
	if h == "" {
		h = e.kind.Hint()
	}
	return h + "; to keep the container file in the case as it is, ingest it with kind other"
}

// finishVDisk completes a virtual disk item's record once its disk was
// read: what the reader found wrong or unusual, and loudly a checksum that
// failed with no intact copy.
func (s *openedSource) finishVDisk(meta *casefile.EvidenceMeta) {
	format := s.vd.Format()
	const consequence = " — the disk was ingested as read, accepting the bad checksum: do not rely on it before the image is checked against the original"
	loud := false
	for _, w := range s.vd.Warnings() {
		if s.badChecksum != nil && !loud && strings.HasPrefix(w, s.badChecksum.What) {
			w, loud = w+consequence, true
		}
		meta.Warnings = append(meta.Warnings, format+": "+w)
	}
	if s.badChecksum != nil && !loud {
		meta.Warnings = append(meta.Warnings, format+": "+s.badChecksum.What+consequence)
	}
}

// fileHasher hashes the files of a container, each on its own, reading
// them from start to end on a goroutine of its own beside the disk's read.
type fileHasher struct {
	stop     chan struct{}
	done     chan error
	stopOnce sync.Once
	waitOnce sync.Once
	err      error
}

// containerBuffers bounds the memory of a fileHasher: this many reads of
// containerRead bytes queued for the hashes.
const (
	containerBuffers = 4
	containerRead    = 1 << 20
)

// hashFiles starts hashing files (of sizes bytes at open) into segs.
func hashFiles(files []*os.File, sizes []int64, segs *segmentHashes) *fileHasher {
	h := &fileHasher{stop: make(chan struct{}), done: make(chan error, 1)}
	go func() { h.done <- h.run(files, sizes, segs) }()
	return h
}

var errHashStopped = errors.New("evidence: container hashing stopped")

func (h *fileHasher) run(files []*os.File, sizes []int64, segs *segmentHashes) error {
	pool := make(chan []byte, containerBuffers)
	for range containerBuffers {
		pool <- make([]byte, containerRead)
	}
	for i, f := range files {
		for off := int64(0); off < sizes[i]; {
			var b []byte
			select {
			case b = <-pool:
			case <-h.stop:
				return errHashStopped
			}
			n, err := f.ReadAt(b[:min(int64(len(b)), sizes[i]-off)], off)
			if n > 0 {
				segs.write(i, b[:n], refCount(int32(segs.n()), func() { pool <- b }))
			} else {
				pool <- b
			}
			off += int64(n)
			switch {
			case err == nil:
			case errors.Is(err, io.EOF):
				if off < sizes[i] {
					return fmt.Errorf("%w: %s ended after %d of its %d bytes: it changed while it was read", ErrSource, f.Name(), off, sizes[i])
				}
			default:
				return sourceErr(f.Name(), err)
			}
		}
	}
	return nil
}

// wait returns once the hashing ended, with its error.
func (h *fileHasher) wait() error {
	if h == nil {
		return nil
	}
	h.waitOnce.Do(func() { h.err = <-h.done })
	return h.err
}

// cancel stops the hashing and waits for it.
func (h *fileHasher) cancel() {
	if h == nil {
		return
	}
	h.stopOnce.Do(func() { close(h.stop) })
	h.wait()
}
