package reports

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/redosim/redosim/reports/reportstest"
)

const chromiumPath = "/usr/bin/chromium"

// TestBrowserLoadsReport opens the fixture's index.html in headless
// Chromium and fails if an image does not load or the page's own check
// did not run. It needs REPORT_BROWSER_TEST=1 and /usr/bin/chromium
// (apt-get install -y chromium); reports/browsercheck.sh does the same from
// the shell and keeps the screenshot.
func TestBrowserLoadsReport(t *testing.T) {
	if os.Getenv("REPORT_BROWSER_TEST") != "1" {
		t.Skip("browser check skipped: set REPORT_BROWSER_TEST=1 (and install chromium) to run it")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("browser check skipped: %s not found (apt-get install -y chromium)", chromiumPath)
	}
	run, worlds := reportstest.Fixture(reportstest.Config{})
	out := t.TempDir()
	if err := Render(out, run, worlds, Options{}); err != nil {
		t.Fatal(err)
	}
	url := "file://" + filepath.Join(out, "index.html")
	dom := chromium(t, "--dump-dom", url)
	if !strings.Contains(dom, `data-checked="1"`) {
		t.Fatalf("the page's load check did not run; DOM starts:\n%.500s", dom)
	}
	if strings.Contains(dom, `data-broken="1"`) {
		t.Errorf("an image failed to load")
	}
	html := readFile(t, out, "index.html")
	want := strings.Count(html, "<img ")
	m := regexp.MustCompile(`data-images-loaded="(\d+)"`).FindStringSubmatch(dom)
	if m == nil || m[1] != itoa(want) {
		t.Errorf("images loaded: %v, want %d", m, want)
	}
	shot := filepath.Join(out, "screenshot.png")
	chromium(t, "--screenshot="+shot, "--window-size=1400,4000", url)
	if st, err := os.Stat(shot); err != nil || st.Size() < 10000 {
		t.Errorf("screenshot missing or tiny: %v", err)
	}
}

func chromium(t *testing.T, args ...string) string {
	t.Helper()
	flags := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--hide-scrollbars", "--virtual-time-budget=10000"}
	cmd := exec.Command(chromiumPath, append(flags, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}
