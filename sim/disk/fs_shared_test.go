package disk

import (
	"bytes"
	"testing"
)

// TestSyncedFileSharesItsBytes: after a sync the durable image shares the
// page cache's bytes, and every way of changing them afterwards (an
// overwrite, a shrinking truncate then growth, a bit flip) leaves what a
// crash keeps exactly as synced.
func TestSyncedFileSharesItsBytes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(fs *FS) error
		want   []byte // durable image after the change and a crash
	}{
		{"overwrite", func(fs *FS) error { return fs.WriteAt("/f", 2, []byte("ZZ")) }, []byte("abcdefgh")},
		{"append", func(fs *FS) error { _, err := fs.Append("/f", []byte("ij")); return err }, []byte("abcdefgh")},
		{"truncate and grow", func(fs *FS) error {
			if err := fs.Truncate("/f", 2); err != nil {
				return err
			}
			return fs.Truncate("/f", 8)
		}, []byte("abcdefgh")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := NewFS(FSConfig{SectorBytes: 512})
			if err := fs.Create("/f"); err != nil {
				t.Fatal(err)
			}
			if _, err := fs.Append("/f", []byte("abcdefgh")); err != nil {
				t.Fatal(err)
			}
			if err := fs.Sync("/f"); err != nil {
				t.Fatal(err)
			}
			if err := fs.SyncDir("/"); err != nil {
				t.Fatal(err)
			}
			if f, _ := fs.lookupFile("/f"); !f.shared {
				t.Fatal("a synced file does not share its bytes")
			}
			if err := tc.change(fs); err != nil {
				t.Fatal(err)
			}
			lost, err := fs.CrashWith(CrashChoice{Files: map[string]FileCrash{"/f": {Keep: 0}}})
			if err != nil {
				t.Fatal(err)
			}
			got, err := lost.ReadFile("/f")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Errorf("after %s and a crash keeping nothing unsynced: %q, want %q", tc.name, got, tc.want)
			}
		})
	}
	// A bit flip hits the durable image and the page cache once each.
	fs := NewFS(FSConfig{SectorBytes: 512})
	fs.Create("/f")
	fs.Append("/f", []byte{0, 0})
	fs.Sync("/f")
	if err := fs.FlipBit("/f", 0); err != nil {
		t.Fatal(err)
	}
	f, _ := fs.lookupFile("/f")
	if f.data[0] != 1 || f.durable[0] != 1 {
		t.Errorf("bit flip on a shared file: page cache %d, durable %d, want 1 and 1", f.data[0], f.durable[0])
	}
}

// TestRenameCompactsAGrownFile: a file renamed into place gives up the
// slack its growth left, and keeps both its page cache and durable bytes.
func TestRenameCompactsAGrownFile(t *testing.T) {
	fs := NewFS(FSConfig{SectorBytes: 512})
	if err := fs.Create("/a.tmp"); err != nil {
		t.Fatal(err)
	}
	want := bytes.Repeat([]byte("0123456789"), 7_000)
	for off := 0; off < len(want); off += 1000 {
		if _, err := fs.Append("/a.tmp", want[off:off+1000]); err != nil {
			t.Fatal(err)
		}
	}
	fs.Sync("/a.tmp")
	if f, _ := fs.lookupFile("/a.tmp"); cap(f.data) <= len(want)+len(want)/4 {
		t.Fatalf("the test wants growth slack: cap %d for %d bytes", cap(f.data), len(want))
	}
	if err := fs.Rename("/a.tmp", "/a.log"); err != nil {
		t.Fatal(err)
	}
	fs.SyncDir("/")
	f, _ := fs.lookupFile("/a.log")
	if cap(f.data) > len(want)+len(want)/4 || !f.shared {
		t.Errorf("after rename: cap %d for %d bytes, shared %v", cap(f.data), len(want), f.shared)
	}
	lost, err := fs.CrashWith(CrashChoice{})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := lost.ReadFile("/a.log")
	if page, _ := fs.ReadFile("/a.log"); !bytes.Equal(got, want) || !bytes.Equal(page, want) {
		t.Error("rename compaction changed the file's bytes")
	}
}
