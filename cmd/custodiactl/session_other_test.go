//go:build !unix

package main

// ownSession is false where testscript cannot attach a pseudo-terminal.
func ownSession() bool { return false }
