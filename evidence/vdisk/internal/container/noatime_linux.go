package container

import "syscall"

// noatime keeps reading from changing the container files' access times.
const noatime = syscall.O_NOATIME
