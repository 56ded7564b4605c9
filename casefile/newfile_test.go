package casefile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestWriteNewFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "custody.jsonl")
	sum, err := WriteNewFile(path, func(w io.Writer) error {
		_, err := io.WriteString(w, "abc")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// SHA-256("abc")
	if want := "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; sum != want {
		t.Errorf("sum = %s, want %s", sum, want)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600: an export is in clear", fi.Mode().Perm())
	}

	// an existing file is left as it is
	_, err = WriteNewFile(path, func(w io.Writer) error {
		_, err := io.WriteString(w, "replaced")
		return err
	})
	if !errors.Is(err, fs.ErrExist) {
		t.Errorf("writing over an existing file: err = %v, want fs.ErrExist", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "abc" {
		t.Errorf("existing file now holds %q", b)
	}

	// a failed write leaves nothing behind
	failed := filepath.Join(dir, "failed.jsonl")
	boom := errors.New("boom")
	if _, err := WriteNewFile(failed, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	}); !errors.Is(err, boom) {
		t.Errorf("err = %v, want the writer's error", err)
	}
	if _, err := os.Lstat(failed); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed export left %s: %v", failed, err)
	}

	// no temporary files remain
	names, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 1 || names[0].Name() != "custody.jsonl" {
		var got []string
		for _, n := range names {
			got = append(got, n.Name())
		}
		t.Errorf("directory holds %q, want only custody.jsonl", got)
	}
}

// TestWriteNewFileNamesTheDestination: a folder that does not exist is
// reported with the path asked for, never the temporary file's name.
func TestWriteNewFileNamesTheDestination(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nosuchdir", "custody.jsonl")
	_, err := WriteNewFile(path, func(w io.Writer) error { return nil })
	if want := "create " + path + ": no such file or directory"; err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
}
