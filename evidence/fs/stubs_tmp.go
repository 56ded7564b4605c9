package fs

import "io"

func isNTFS(io.ReaderAt, int64) bool          { return false }
func openNTFS(io.ReaderAt, int64) (FS, error) { return nil, ErrUnknown }
