//go:build unix

package evidence

import "syscall"

func mkfifoSys(p string) error { return syscall.Mkfifo(p, 0o644) }
