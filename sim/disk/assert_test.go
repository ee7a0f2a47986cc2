package disk

import (
	"strings"
	"testing"

	"github.com/redosim/redosim/internal/invariants"
)

// TestSyncAssertion plants a sync that forgot part of the page cache: a
// durable image shorter than the cache, then left-over dirty spans.
func TestSyncAssertion(t *testing.T) {
	if !invariants.Enabled {
		t.Skip("assertions compiled out: run with -tags invariants (make test does)")
	}
	f := &fileData{}
	f.data.writeAt(0, []byte("abcd"))
	f.durable.writeAt(0, []byte("ab"))
	if v := invariants.Catch(f.checkSynced); v == nil || !strings.Contains(v.Msg, "durable size the page cache's") {
		t.Fatalf("short durable image: %v", v)
	}
	f.durable = f.data.share()
	f.dirty.add(0, 2)
	if v := invariants.Catch(f.checkSynced); v == nil || !strings.Contains(v.Msg, "leaves nothing dirty") {
		t.Fatalf("dirty after sync: %v", v)
	}
	f.dirty.reset()
	if v := invariants.Catch(f.checkSynced); v != nil {
		t.Fatalf("a clean sync fired %v", v)
	}
}
