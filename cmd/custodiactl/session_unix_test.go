//go:build unix

package main

import (
	"os"
	"syscall"
)

// ownSession reports whether this process leads its own process group, as
// a command started by testscript's ttyin does (it calls setsid).
func ownSession() bool { return syscall.Getpgrp() == os.Getpid() }
