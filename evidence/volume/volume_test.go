package volume

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func need(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (scripts/setup.sh installs it); skipping the comparison with it", tool)
		}
	}
}

func run(t testing.TB, stdin string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func image(t testing.TB, size int64) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, size); err != nil {
		t.Fatal(err)
	}
	return p
}

func read(t testing.TB, p string) *Table {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// mmlsParts returns TSK's allocated partitions as start,length (sectors),
// with the description, leaving out the table and unallocated slots.
func mmlsParts(t testing.TB, img string) [][3]string {
	t.Helper()
	var out [][3]string
	for _, line := range strings.Split(run(t, "", "mmls", img), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || !strings.HasSuffix(f[0], ":") || strings.HasPrefix(f[1], "-") || f[1] == "Meta" || f[0] == "Slot" {
			continue
		}
		start, _ := strconv.ParseInt(f[2], 10, 64)
		length, _ := strconv.ParseInt(f[4], 10, 64)
		out = append(out, [3]string{strconv.FormatInt(start, 10), strconv.FormatInt(length, 10), strings.Join(f[min(5, len(f)):], " ")})
	}
	return out
}

func TestMBRExtendedAgainstMmls(t *testing.T) {
	need(t, "sfdisk", "mmls")
	img := image(t, 64<<20)
	run(t, "label: dos\nstart=2048, size=20480, type=83\nstart=22528, size=20480, type=7\nstart=43008, type=5\nstart=45056, size=8192, type=83\nstart=55296, size=4096, type=b\n", "sfdisk", "-q", img)
	tab := read(t, img)
	if tab.Scheme != SchemeMBR {
		t.Fatalf("scheme %s", tab.Scheme)
	}
	var got [][3]string
	for _, v := range tab.Volumes {
		if v.Container {
			continue
		}
		got = append(got, [3]string{strconv.FormatInt(v.Start/512, 10), strconv.FormatInt(v.Size/512, 10), v.Type})
	}
	want := mmlsParts(t, img)
	if len(got) != len(want) {
		t.Fatalf("volumes %v, mmls %v", got, want)
	}
	for i := range got {
		if got[i][0] != want[i][0] || got[i][1] != want[i][1] {
			t.Errorf("volume %d: %v, mmls %v", i, got[i], want[i])
		}
	}
	idx := []int{}
	for _, v := range tab.Volumes {
		idx = append(idx, v.Index)
	}
	if len(idx) != 5 || idx[0] != 1 || idx[2] != 3 || idx[3] != 5 || idx[4] != 6 || !tab.Volumes[2].Container {
		t.Errorf("indexes %v (want 1 2 3=extended 5 6)", idx)
	}
	if tab.Volumes[0].Type != "0x83 Linux" || tab.Volumes[4].Type != "0x0b FAT32" {
		t.Errorf("types %q %q", tab.Volumes[0].Type, tab.Volumes[4].Type)
	}
}

func TestGPTAgainstMmls(t *testing.T) {
	need(t, "sgdisk", "mmls")
	img := image(t, 64<<20)
	run(t, "", "sgdisk", "-n", "1:2048:+8M", "-t", "1:ef00", "-c", "1:EFI system partition", "-n", "2:0:+20M", "-t", "2:0700", "-c", "2:Données", "-u", "2:0FC63DAF-8483-4772-8E79-000000000002", "-n", "3:0:0", "-t", "3:8300", "-c", "3:root", img)
	tab := read(t, img)
	if tab.Scheme != SchemeGPT || len(tab.Warnings) != 0 {
		t.Fatalf("scheme %s warnings %v", tab.Scheme, tab.Warnings)
	}
	want := mmlsParts(t, img)
	if len(tab.Volumes) != 3 || len(want) != 3 {
		t.Fatalf("volumes %+v, mmls %v", tab.Volumes, want)
	}
	for i, v := range tab.Volumes {
		if strconv.FormatInt(v.Start/512, 10) != want[i][0] || strconv.FormatInt(v.Size/512, 10) != want[i][1] {
			t.Errorf("volume %d: %d+%d, mmls %v", i, v.Start/512, v.Size/512, want[i])
		}
	}
	if tab.Volumes[0].Name != "EFI system partition" || tab.Volumes[0].Type != "EFI system" || tab.Volumes[1].Name != "Données" ||
		tab.Volumes[1].GUID != "0FC63DAF-8483-4772-8E79-000000000002" || tab.Volumes[1].Type != "Microsoft basic data" || tab.Volumes[2].Type != "Linux filesystem" {
		t.Errorf("volumes %+v", tab.Volumes)
	}
	// A damaged entry array is reported, the entries still listed.
	b, _ := os.ReadFile(img)
	b[2*512+56] ^= 0xFF // first entry's name
	tab, _ = Read(bytes.NewReader(b), int64(len(b)))
	if len(tab.Volumes) != 3 || len(tab.Warnings) != 1 || !strings.Contains(tab.Warnings[0], "entry array CRC") {
		t.Errorf("damaged: %d volumes, warnings %v", len(tab.Volumes), tab.Warnings)
	}
}

func TestUnpartitioned(t *testing.T) {
	need(t, "mkfs.vfat")
	img := image(t, 8<<20)
	run(t, "", "mkfs.vfat", img)
	tab := read(t, img)
	if tab.Scheme != SchemeNone || len(tab.Volumes) != 1 || tab.Volumes[0].Size != 8<<20 {
		t.Errorf("%+v", tab)
	}
}

// mbr builds a sector with the given primary entries (type, start, count).
func mbr(entries ...[3]uint32) []byte {
	s := make([]byte, 512)
	for i, e := range entries {
		o := 446 + 16*i
		s[o+4] = byte(e[0])
		binary.LittleEndian.PutUint32(s[o+8:], e[1])
		binary.LittleEndian.PutUint32(s[o+12:], e[2])
	}
	s[510], s[511] = 0x55, 0xAA
	return s
}

func TestExtendedLoopAndPastEnd(t *testing.T) {
	disk := make([]byte, 64*512)
	copy(disk, mbr([3]uint32{0x83, 1, 8}, [3]uint32{0x05, 10, 20}, [3]uint32{0x07, 40, 1000}))
	// EBR at 10: a logical at 10+1, and a link back to itself.
	copy(disk[10*512:], mbr([3]uint32{0x83, 1, 4}, [3]uint32{0x05, 0, 20}))
	tab, err := Read(bytes.NewReader(disk), int64(len(disk)))
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Volumes) != 4 || tab.Volumes[3].Index != 5 || tab.Volumes[3].Start != 11*512 {
		t.Fatalf("volumes %+v", tab.Volumes)
	}
	if len(tab.Warnings) != 1 || tab.Warnings[0] != "the extended partition chain loops back to byte 5120; listed up to the loop" {
		t.Errorf("warnings %q", tab.Warnings)
	}
	if p := tab.Volumes[2].Problem; p != "extends 499712 bytes past the end of the image" {
		t.Errorf("past the end: %q", p)
	}
}

func FuzzRead(f *testing.F) {
	f.Add(mbr([3]uint32{0x83, 1, 8}, [3]uint32{0x05, 10, 20}))
	f.Add(append(mbr([3]uint32{0xEE, 1, 100}), []byte("EFI PART")...))
	if p, err := filepath.Glob("testdata/seed-*.img"); err == nil {
		for _, s := range p {
			b, _ := os.ReadFile(s)
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tab, err := Read(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		if len(tab.Volumes) > maxGPTEntries+maxLogical+4 {
			t.Fatalf("%d volumes", len(tab.Volumes))
		}
	})
}
