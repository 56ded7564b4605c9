package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// existingFile is the error for a file at path that the operation op
// ("export custody ledger to") would have to overwrite.
func existingFile(op, path string) error {
	return withHint(fmt.Errorf("%s %s: %w", op, path, fs.ErrExist),
		"choose a new file name; custodiactl never overwrites an existing file")
}

// fileExists reports whether something, even a dangling link, is at path.
func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// absPath is path made absolute for the record, or path itself if the
// working directory is unknown.
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}
