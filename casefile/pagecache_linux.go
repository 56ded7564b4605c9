package casefile

import (
	"os"

	"golang.org/x/sys/unix"
)

// pageCache lets go of the case file's pages in the kernel's page cache
// once a bulk write has committed them (they are clean after the FULL
// sync). An ingest writes gigabytes the process will not read again soon;
// without this they pile up in the page cache, pushing out what the
// examiner is working on, and every byte lands in freshly allocated kernel
// memory, which costs more system time than the write itself on many
// virtual machines (measured: 2 GiB written in 64 KiB pages took 5.1 s of
// system time into new page-cache memory, 0.8 s when the pages were
// recycled). It is the same as dd's oflag=nocache.
//
// It uses a descriptor of its own, which is safe only with OFD locks: with
// POSIX locks, closing it would drop SQLite's exclusive lock.
type pageCache struct{ f *os.File }

func openPageCache(path string) pageCache {
	if !ofdLocking {
		return pageCache{}
	}
	f, err := os.Open(path)
	if err != nil {
		return pageCache{} // an optimisation only: without it, nothing changes but speed
	}
	return pageCache{f}
}

// drop asks the kernel to evict the file's clean cached pages. Dirty pages
// stay; nothing about the file's content changes.
func (p pageCache) drop() {
	if p.f != nil {
		unix.Fadvise(int(p.f.Fd()), 0, 0, unix.FADV_DONTNEED)
	}
}

func (p pageCache) close() {
	if p.f != nil {
		p.f.Close()
	}
}
