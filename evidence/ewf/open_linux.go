package ewf

import "syscall"

// noatime keeps reading from changing the segment files' access times.
const noatime = syscall.O_NOATIME
