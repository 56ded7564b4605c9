package evidence

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
)

// splitInto cuts whole into pieces of size bytes named base.<counter>:
// with the split tool when args are given (its own naming), else with
// the names given.
func splitInto(t *testing.T, dir string, whole []byte, size int, args []string, names []string) []string {
	t.Helper()
	if args != nil {
		if _, err := exec.LookPath("split"); err != nil {
			t.Skip("split (coreutils) is not on PATH")
		}
		src := writeFile(t, t.TempDir(), "whole", whole)
		cmd := exec.Command("split", append(append(args, "-b", fmt.Sprint(size)), src, "disk.")...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("split: %v\n%s", err, out)
		}
		names, _ = filepath.Glob(filepath.Join(dir, "disk.*"))
		return names
	}
	var out []string
	for i, n := range names {
		end := min((i+1)*size, len(whole))
		out = append(out, writeFile(t, dir, n, whole[i*size:end]))
	}
	return out
}

// TestIngestSplitNamings: a split raw image joins under every naming
// imaging tools and split use, each segment with its own hashes.
func TestIngestSplitNamings(t *testing.T) {
	whole := vdiskContent(250_000, 7)
	for _, tc := range []struct {
		name  string
		args  []string // split's options; nil: names below
		names []string
	}{
		{"FTK .001", nil, []string{"disk.001", "disk.002", "disk.003"}},
		{"split -d -a 3 .000", []string{"-d", "-a", "3"}, nil},
		{"split -d .00", []string{"-d"}, nil},
		{"split .aa", []string{}, nil},
		{"split -a 3 .aaa", []string{"-a", "3"}, nil},
		{"four digits .0001", nil, []string{"disk.0001", "disk.0002", "disk.0003"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testCase(t)
			dir := t.TempDir()
			segs := splitInto(t, dir, whole, 100_000, tc.args, tc.names)
			if len(segs) != 3 {
				t.Fatalf("segments %q", segs)
			}
			evs, err := Ingest(context.Background(), c, segs[0], Options{ChunkSize: 64 << 10})
			if err != nil {
				t.Fatal(err)
			}
			m := evs[0].Meta
			if len(evs) != 1 || m.Name != "disk" || m.Format != FormatSplitRaw || m.Kind != casefile.KindDisk || m.Size != int64(len(whole)) || m.Hashes != sums(whole) {
				t.Fatalf("%d items: %s %s %s %d %+v", len(evs), m.Name, m.Format, m.Kind, m.Size, m.Hashes)
			}
			if len(m.Container) != 3 {
				t.Fatalf("container %+v", m.Container)
			}
			for i, cf := range m.Container {
				b := mustRead(t, segs[i])
				if cf.Path != segs[i] || cf.Size != int64(len(b)) || cf.Hashes != sums(b) {
					t.Errorf("segment %d: %+v, want %s with its own hashes", i, cf, segs[i])
				}
			}
			if len(m.Warnings) != 0 {
				t.Errorf("warnings %q", m.Warnings)
			}
			// Naming a later segment says which one to name.
			_, err = Ingest(context.Background(), c, segs[1], Options{})
			want := fmt.Sprintf("ingest %s: evidence: source problem: %s is segment 2 of the split image that starts with %s: name the first segment, and the others are read with it", segs[1], segs[1], filepath.Base(segs[0]))
			if !errors.Is(err, ErrSource) || err.Error() != want {
				t.Errorf("naming the second segment:\n%v\nwant\n%s", err, want)
			}
			// A gap refuses the set, naming the missing segment.
			os.Remove(segs[1])
			_, err = Ingest(context.Background(), c, segs[0], Options{})
			want = fmt.Sprintf("ingest %s: evidence: source problem: the split image %s has a gap: segment %s is missing, but %s follows it; copy the missing segment beside the others and ingest the image again",
				segs[0], filepath.Base(segs[0]), filepath.Base(segs[1]), filepath.Base(segs[2]))
			if !errors.Is(err, ErrSource) || err.Error() != want {
				t.Errorf("gap:\n%v\nwant\n%s", err, want)
			}
		})
	}
}

// TestSplitSetEdges: what is and is not a split set.
func TestSplitSetEdges(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"one.001", "report.01", "report.02", "notes.log", "x.000", "x.001", "y.aa"} {
		writeFile(t, dir, n, []byte("0123456789"))
	}
	for name, want := range map[string]string{
		"one.001":   "", // alone: a file
		"report.01": "", // two digits start at 00
		"notes.log": "", // letters, but not the first of a set
		"y.aa":      "", // alone
		"x.000":     "x.000 x.001",
	} {
		segs, _, err := splitSet(filepath.Join(dir, name))
		var got []string
		for _, s := range segs {
			got = append(got, filepath.Base(s))
		}
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("%s: %q %v, want %q", name, got, err, want)
		}
	}
	// .001 beside .000 is the second segment.
	if _, _, err := splitSet(filepath.Join(dir, "x.001")); !errors.Is(err, ErrSource) || !strings.Contains(err.Error(), "segment 2 of the split image that starts with x.000") {
		t.Errorf("x.001: %v", err)
	}
	// A set of one first segment and a later one has a gap too.
	writeFile(t, dir, "one.003", []byte("0123456789"))
	if _, _, err := splitSet(filepath.Join(dir, "one.001")); !errors.Is(err, ErrSource) || !strings.Contains(err.Error(), "segment one.002 is missing, but one.003 follows it") {
		t.Errorf("one.001 and one.003: %v", err)
	}
}

// TestIngestSplitUnequalSegments: a named set whose middle segment is
// short is read, with a warning naming it.
func TestIngestSplitUnequalSegments(t *testing.T) {
	c := testCase(t)
	dir := t.TempDir()
	whole := vdiskContent(250_000, 8)
	writeFile(t, dir, "disk.001", whole[:100_000])
	writeFile(t, dir, "disk.002", whole[100_000:180_000])
	writeFile(t, dir, "disk.003", whole[180_000:])
	evs, err := Ingest(context.Background(), c, filepath.Join(dir, "disk.001"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "segment disk.002 is 80000 bytes where the set's first segment disk.001 is 100000: the tools that split an image cut it into equal pieces (the last one shorter), so a segment may be truncated or from another image — compare each segment's hashes with the acquisition's"
	if m := evs[0].Meta; m.Hashes != sums(whole) || len(m.Warnings) != 1 || m.Warnings[0] != want {
		t.Errorf("warnings %q", m.Warnings)
	}
}

// TestIngestFolderSplitAndVirtualDisks: in a folder, a split set is one
// item, a VMDK with its extents is one item, files numbered like a split
// set but of unequal sizes stay items of their own, and the rest are
// files.
func TestIngestFolderSplitAndVirtualDisks(t *testing.T) {
	needQemu(t)
	c := testCase(t)
	dir := t.TempDir()
	whole := vdiskContent(250_000, 9)
	splitInto(t, dir, whole, 100_000, nil, []string{"disk.000", "disk.001", "disk.002"})
	for i, n := range []int{500, 800, 300} {
		writeFile(t, dir, fmt.Sprintf("app.log.%02d", i), []byte(strings.Repeat("Nov 26 10:00:01 app started\n", n/28+1)[:n]))
	}
	content := vdiskContent(oddDiskSize, 10)
	raw := writeFile(t, t.TempDir(), "src.raw", content)
	os.Mkdir(filepath.Join(dir, "vm"), 0o755)
	// Sparse extents start with a VMDK signature of their own, flat ones
	// with none: the descriptor claims both.
	qemu(t, "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=twoGbMaxExtentSparse", raw, filepath.Join(dir, "vm", "web01.vmdk"))
	qemu(t, "convert", "-f", "raw", "-O", "qcow2", "-c", raw, filepath.Join(dir, "vm", "web02.qcow2"))
	qemu(t, "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=monolithicFlat", raw, filepath.Join(dir, "vm", "web03.vmdk"))
	evs, err := Ingest(context.Background(), c, dir, Options{Duplicate: keepDuplicate})
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Base(dir)
	want := []string{
		"app.log.00 file log 500", "app.log.01 file log 800", "app.log.02 file log 300",
		"disk split-raw disk 250000",
		"vm/web01.vmdk vmdk disk 4195840", "vm/web02.qcow2 qcow2 disk 4195840", "vm/web03.vmdk vmdk disk 4195840",
	}
	var got []string
	for _, e := range evs {
		m := e.Meta
		got = append(got, fmt.Sprintf("%s %s %s %d", strings.TrimPrefix(m.Name, base+"/"), m.Format, m.Kind, m.Size))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("items\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if evs[3].Meta.Hashes != sums(whole) || len(evs[3].Meta.Container) != 3 {
		t.Errorf("split set: %+v", evs[3].Meta)
	}
	for i, extent := range map[int]string{4: "web01-s001.vmdk", 6: "web03-flat.vmdk"} {
		if m := evs[i].Meta; m.Hashes != sums(content) || len(m.Container) != 2 || filepath.Base(m.Container[1].Path) != extent {
			t.Errorf("VMDK: hashes %+v container %+v", m.Hashes, m.Container)
		}
	}
	if evs[5].Meta.Hashes != sums(content) {
		t.Errorf("QCOW2: hashes %+v", evs[5].Meta.Hashes)
	}
}

// TestIngestSplitVirtualDisk: a virtual disk cut into pieces is refused,
// saying how to join it; kind other joins the pieces as they are.
func TestIngestSplitVirtualDisk(t *testing.T) {
	needQemu(t)
	c := testCase(t)
	dir := t.TempDir()
	raw := writeFile(t, t.TempDir(), "src.raw", vdiskContent(oddDiskSize, 11))
	p := filepath.Join(t.TempDir(), "disk.vhd")
	qemu(t, "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=fixed,force_size=on", raw, p)
	vhd := mustRead(t, p)
	segs := splitInto(t, dir, vhd, 2<<20, nil, []string{"disk.vhd.001", "disk.vhd.002", "disk.vhd.003"})
	_, err := Ingest(context.Background(), c, segs[0], Options{})
	want := "ingest " + segs[0] + ": evidence: unsupported source format: the split image " + segs[0] + " holds a VHD virtual disk cut into 3 pieces, which is read only whole: join the pieces into one file (cat, or copy /b on Windows) and ingest that; to keep the pieces as they are, ingest them with kind other"
	if !errors.Is(err, ErrUnsupported) || err.Error() != want {
		t.Fatalf("error\n%v\nwant\n%s", err, want)
	}
	evs, err := Ingest(context.Background(), c, segs[0], Options{Kind: casefile.KindOther})
	if err != nil || evs[0].Meta.Format != FormatSplitRaw || evs[0].Meta.Hashes != sums(vhd) {
		t.Fatalf("kind other: %+v %v", evs, err)
	}
}
