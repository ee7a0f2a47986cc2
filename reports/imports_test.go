package reports

import (
	"os/exec"
	"strings"
	"testing"
)

// TestReportsImportNoModel enforces the layering of ARCHITECTURE.md:
// reports reads results only and imports no model, engine, scenarios or
// sim package.
func TestReportsImportNoModel(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/redosim/redosim/reports/...").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		rest, ok := strings.CutPrefix(pkg, "github.com/redosim/redosim/")
		if ok && !strings.HasPrefix(rest, "reports") && rest != "results" {
			t.Errorf("reports depends on %s", pkg)
		}
	}
}
