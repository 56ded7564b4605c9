//go:build !linux

package container

// noatime is 0 where the operating system has no O_NOATIME.
const noatime = 0
