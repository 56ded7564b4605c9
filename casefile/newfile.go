package casefile

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Files a person asks Custodia to write outside the case (a custody export,
// a report, an extracted item) are written with WriteNewFile: they appear
// complete or not at all, never replace an existing file, and are named in
// the custody record by the SHA-256 of what is on disk.

// WriteNewFile creates the file at path with what write produces, so that
// it appears complete or not at all and never replaces an existing file.
// The bytes go to a temporary file in the same directory, readable only by
// its owner, which is synced and then hard-linked into place: the link
// fails, with an error matching fs.ErrExist, if path exists by then. Where
// the file system has no hard links, the file is renamed into place after
// a check. The file is read back, and its SHA-256 as stored is returned.
func WriteNewFile(path string, write func(io.Writer) error) (sum string, err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		// Name the file the person asked for, not the temporary one.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return "", &fs.PathError{Op: "create", Path: path, Err: pe.Err}
		}
		return "", err
	}
	tmpName := tmp.Name()
	defer func() {
		if tmp != nil {
			tmp.Close()
		}
		// After a link the temporary name is not needed; after a rename
		// it is gone already.
		os.Remove(tmpName)
	}()
	// CreateTemp makes the file 0600 already; the export is in clear, so
	// do not depend on that.
	if err := tmp.Chmod(0o600); err != nil {
		return "", err
	}
	h := sha256.New()
	bw := bufio.NewWriter(io.MultiWriter(tmp, h))
	if err := write(bw); err != nil {
		return "", err
	}
	if err := bw.Flush(); err != nil {
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		return "", err
	}
	err = tmp.Close()
	tmp = nil
	if err != nil {
		return "", err
	}
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return "", err
		}
		// No hard links on this file system (FAT, some network shares).
		if _, err := os.Lstat(path); err == nil {
			return "", &fs.PathError{Op: "create", Path: path, Err: fs.ErrExist}
		}
		if err := os.Rename(tmpName, path); err != nil {
			return "", err
		}
	}
	syncDir(dir)
	// Hash what is on disk, not what was meant to be written: the
	// custody entry names the file by this hash.
	stored, err := fileSHA256(path)
	if err == nil && stored != hex.EncodeToString(h.Sum(nil)) {
		err = fmt.Errorf("%s reads back differently from what was written", path)
	}
	if err != nil {
		os.Remove(path)
		return "", err
	}
	return stored, nil
}

// syncDir makes a new name in dir durable where the system allows it; a
// failure only loses durability, not data already synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// fileSHA256 returns the hex SHA-256 of the file at path.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
