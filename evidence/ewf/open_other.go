//go:build !linux

package ewf

const noatime = 0
