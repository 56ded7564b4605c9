package casefile

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestContainerDetails: an evidence.ingested entry lists the container
// files with their own hashes in values of at most 8192 bytes, in order,
// within the entry's budget of keys; what does not fit is counted.
func TestContainerDetails(t *testing.T) {
	files := func(n int) []ContainerFile {
		var out []ContainerFile
		for i := range n {
			out = append(out, ContainerFile{Path: fmt.Sprintf("/evidence/ir-42/disk.E%02d", i+1), Size: int64(1000 + i),
				Hashes: Hashes{MD5: strings.Repeat("a", 32), SHA1: strings.Repeat("b", 40), SHA256: fmt.Sprintf("%064x", i)}})
		}
		return out
	}
	decode := func(d map[string]string) []containerEntry {
		var all []containerEntry
		for part := 1; ; part++ {
			key := "container"
			if part > 1 {
				key = fmt.Sprintf("container_%d", part)
			}
			v, ok := d[key]
			if !ok {
				return all
			}
			if len(v) > maxEntryValue {
				t.Fatalf("%s holds %d bytes", key, len(v))
			}
			var l []containerEntry
			if err := json.Unmarshal([]byte(v), &l); err != nil {
				t.Fatal(err)
			}
			all = append(all, l...)
		}
	}
	for _, tc := range []struct{ files, budget, listed int }{{0, 56, 0}, {1, 56, 1}, {3, 56, 3}, {200, 56, 200}, {5000, 56, -1}} {
		d := map[string]string{}
		containerDetails(d, files(tc.files), tc.budget)
		got := decode(d)
		if tc.listed < 0 { // as many as 54 values of 8 KiB hold: about 40 each
			tc.listed = len(got)
			if len(got) < 54*39 || len(got) >= tc.files {
				t.Fatalf("%d files: %d listed", tc.files, len(got))
			}
		}
		if len(got) != tc.listed {
			t.Fatalf("%d files: %d listed, want %d", tc.files, len(got), tc.listed)
		}
		for i, e := range got {
			if e.Name != fmt.Sprintf("disk.E%02d", i+1) || e.Size != int64(1000+i) || e.SHA256 != fmt.Sprintf("%064x", i) {
				t.Fatalf("%d files: entry %d is %+v", tc.files, i, e)
			}
		}
		if len(d) > tc.budget {
			t.Fatalf("%d files: %d keys, budget %d", tc.files, len(d), tc.budget)
		}
		switch {
		case tc.files == 0 && len(d) != 0:
			t.Fatalf("no files: %v", d)
		case tc.files > 0 && d["container_files"] != fmt.Sprint(tc.files):
			t.Fatalf("container_files %q", d["container_files"])
		case tc.listed < tc.files && d["container_omitted"] != fmt.Sprint(tc.files-tc.listed):
			t.Fatalf("%d files: container_omitted %q", tc.files, d["container_omitted"])
		case tc.listed == tc.files && d["container_omitted"] != "":
			t.Fatalf("container_omitted %q", d["container_omitted"])
		}
	}
}
