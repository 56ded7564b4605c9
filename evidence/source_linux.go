package evidence

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

const noatime = syscall.O_NOATIME

// blockDeviceFacts reads model, serial and vendor of a block device from sysfs.
func blockDeviceFacts(path string) map[string]string {
	out := map[string]string{"device": path}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return out
	}
	dir := filepath.Join("/sys/class/block", filepath.Base(real), "device")
	for _, k := range []string{"model", "serial", "vendor"} {
		if b, err := os.ReadFile(filepath.Join(dir, k)); err == nil {
			if v := strings.TrimSpace(string(b)); v != "" {
				out[k] = v
			}
		}
	}
	return out
}
