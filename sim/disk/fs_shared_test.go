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
			if f, _ := fs.lookupFile("/f"); f.durable.pages[0] != f.data.pages[0] {
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
	if c, d := f.data.slice(0, 1)[0], f.durable.slice(0, 1)[0]; c != 1 || d != 1 {
		t.Errorf("bit flip on a shared file: page cache %d, durable %d, want 1 and 1", c, d)
	}
}
