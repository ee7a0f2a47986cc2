#!/usr/bin/env bash
# browsercheck.sh renders the sample report (reportstest fixture), opens
# index.html in headless Chromium, takes a screenshot and fails if an image
# does not load, the page logs anything to the console (errors, uncaught
# exceptions: the report itself logs nothing), its verdict is empty, or its
# own load check did not run. `make test` runs it (make report-check).
#
# Chromium comes from the Debian package; when it is missing the script
# installs it with apt-get (as root, as CI runs) and fails loudly if it
# cannot: a check that silently passes without a browser is no check.
#
# Usage: reports/browsercheck.sh [OUTDIR]   (run from anywhere in the repo)
# Env:   CHROMIUM (default /usr/bin/chromium); SWEEP=1 renders the sweep fixture;
#        PAGE=DIR checks DIR/index.html as it is (a real report, or a broken
#        page to see the check fail) instead of rendering the sample.
# Output: OUTDIR/index.html ..., OUTDIR/screenshot.png, OUTDIR/dom.html, OUTDIR/chromium.log
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$(mktemp -d /tmp/report-check.XXXXXX)}
chromium=${CHROMIUM:-/usr/bin/chromium}

fail() {
	echo "browsercheck: FAILED: $*" >&2
	exit 1
}

if [ ! -x "$chromium" ]; then
	echo "browsercheck: $chromium not found; installing the Debian package chromium" >&2
	if [ "$(id -u)" != 0 ]; then
		fail "$chromium is missing and installing it needs root (apt-get install -y chromium)"
	fi
	if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
		fail "apt-get could not install chromium; the report check cannot run without a browser"
	fi
	[ -x "$chromium" ] || fail "chromium installed but $chromium is still missing"
fi

if [ -n "${PAGE:-}" ]; then
	out=$(cd "$PAGE" && pwd)
	[ -f "$out/index.html" ] || fail "$out/index.html does not exist"
else
	sweep_flag=()
	if [ "${SWEEP:-0}" = 1 ]; then sweep_flag=(-sweep); fi
	(cd "$root" && go run ./reports/reportstest/samplereport -out "$out" "${sweep_flag[@]}")
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
	--disable-background-networking --disable-component-update --disable-sync
	--enable-logging=stderr --v=0
	--user-data-dir="$profile" --hide-scrollbars --virtual-time-budget=10000)
url="file://$out/index.html"

timeout 120 "$chromium" "${flags[@]}" --screenshot="$out/screenshot.png" --window-size=1400,2400 "$url" 2>"$out/chromium.log" ||
	fail "chromium could not take the screenshot (see $out/chromium.log)"
timeout 120 "$chromium" "${flags[@]}" --dump-dom "$url" >"$out/dom.html" 2>>"$out/chromium.log" ||
	fail "chromium could not dump the DOM (see $out/chromium.log)"

want=$(grep -o '<img ' "$out/index.html" | wc -l)
errors=()
grep -q 'data-checked="1"' "$out/dom.html" || errors+=("the page's load check did not run (script error or page did not load)")
if grep -q 'data-broken="1"' "$out/dom.html"; then errors+=("at least one image failed to load"); fi
got=$(grep -o 'data-images-loaded="[0-9]*"' "$out/dom.html" | grep -o '[0-9]*' || echo 0)
[ "$want" -gt 0 ] || errors+=("the report has no images")
[ "$got" = "$want" ] || errors+=("$got of $want images loaded")
if grep -q '<img src="plots/' "$out/index.html"; then errors+=("index.html links images instead of embedding them"); fi
items=$(grep -o 'data-verdict-items="[0-9]*"' "$out/dom.html" | grep -o '[0-9]*' || echo 0)
[ "$items" -gt 0 ] || errors+=("the verdict is empty")
if grep -q 'CONSOLE' "$out/chromium.log"; then
	errors+=("the page wrote to the console: $(grep 'CONSOLE' "$out/chromium.log" | head -3 | tr '\n' ' ')")
fi
[ -s "$out/screenshot.png" ] || errors+=("no screenshot written")
if [ ${#errors[@]} -gt 0 ]; then
	for e in "${errors[@]}"; do echo "browsercheck: FAILED: $e" >&2; done
	exit 1
fi
echo "browsercheck: ok: $got/$want images loaded, $items verdict items, no console output; screenshot $out/screenshot.png"
