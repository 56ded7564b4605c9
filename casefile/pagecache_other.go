//go:build !linux

package casefile

// pageCache does nothing off Linux (see pagecache_linux.go): there a second
// descriptor could cost the case its lock.
type pageCache struct{}

func openPageCache(string) pageCache { return pageCache{} }
func (pageCache) drop()              {}
func (pageCache) close()             {}
