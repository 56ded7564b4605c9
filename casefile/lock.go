package casefile

import "modernc.org/sqlite"

// ofdLocking records whether SQLite uses Linux open-file-description locks.
//
// The exclusive lock that keeps a second process out of an open case is a
// file lock. POSIX record locks belong to the (process, inode) pair, and the
// kernel drops all of them at the close of ANY descriptor of the file in the
// process: hashing the case file, checking its header, or a library peeking
// at it would silently let a second writer in. OFD locks belong to SQLite's
// own descriptor and survive such closes. They must be chosen before the
// process opens its first database, hence init. Elsewhere than Linux they do
// not exist; there the package avoids opening a case file it holds.
var ofdLocking bool

func init() {
	// Fails only off Linux, or if a database was opened before this init;
	// either way SQLite keeps POSIX locks and ofdLocking says so.
	_, err := sqlite.OFDLocking(true)
	ofdLocking = err == nil
}
