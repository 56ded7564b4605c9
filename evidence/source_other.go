//go:build !linux

package evidence

const noatime = 0

func blockDeviceFacts(path string) map[string]string { return map[string]string{"device": path} }
