package casefile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// ApplicationID is stored in the SQLite header (PRAGMA application_id) and
// marks a file as a Custodia case: the bytes "CSTD".
const ApplicationID = 0x43535444

const sqliteMagic = "SQLite format 3\x00"

// inspectFile checks, from the raw bytes and without letting SQLite touch
// the file, that path is a complete Custodia case file. It opens the file
// read-only.
func inspectFile(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fs.ErrNotExist // the caller names the path
		}
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%w: %s is a directory", ErrNotACase, path)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a regular file", ErrNotACase, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var h [100]byte
	n, err := io.ReadFull(f, h[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: the file is empty", ErrNotACase)
	}
	if n < len(h) || !bytes.Equal(h[:16], []byte(sqliteMagic)) {
		if n < len(h) && bytes.HasPrefix([]byte(sqliteMagic), h[:min(n, 16)]) {
			return fmt.Errorf("%w: only %d bytes, shorter than a database header", ErrTruncated, n)
		}
		return fmt.Errorf("%w: no SQLite header", ErrNotACase)
	}
	if id := binary.BigEndian.Uint32(h[68:72]); id != ApplicationID {
		return fmt.Errorf("%w: a SQLite database, but its application id is %#x, not Custodia's %#x", ErrNotACase, id, ApplicationID)
	}
	pageSize := int64(binary.BigEndian.Uint16(h[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return fmt.Errorf("%w: invalid page size %d in header", ErrCorrupt, pageSize)
	}
	size := fi.Size()
	if size%pageSize != 0 {
		return fmt.Errorf("%w: %d bytes is not a whole number of %d-byte pages", ErrTruncated, size, pageSize)
	}
	// The in-header page count is valid when "version-valid-for" equals the
	// change counter (SQLite file format, "In-header database size").
	pages := int64(binary.BigEndian.Uint32(h[28:32]))
	if binary.BigEndian.Uint32(h[92:96]) == binary.BigEndian.Uint32(h[24:28]) && pages*pageSize > size {
		return fmt.Errorf("%w: header says %d bytes, the file has %d", ErrTruncated, pages*pageSize, size)
	}
	return nil
}

// checkWritable reports ErrReadOnly when the case file cannot be opened for
// writing (permissions, read-only file system). Opening a case always
// writes: its lock, its journal, later its custody ledger.
func checkWritable(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
			return fmt.Errorf("%w: %v", ErrReadOnly, err)
		}
		return err
	}
	return f.Close()
}
