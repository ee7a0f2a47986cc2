#!/usr/bin/env bash
# browsercheck.sh renders the sample report (reportstest fixture), opens
# index.html in headless Chromium, takes a screenshot and fails if an image
# does not load or the page did not finish its own check.
#
# Usage: reports/browsercheck.sh [OUTDIR]   (run from anywhere in the repo)
# Env:   CHROMIUM (default /usr/bin/chromium); SWEEP=1 renders the sweep fixture.
# Output: OUTDIR/index.html ..., OUTDIR/screenshot.png, OUTDIR/dom.html
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$(mktemp -d /tmp/report-check.XXXXXX)}
chromium=${CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$chromium" ]; then
	echo "browsercheck: $chromium not found; installing the Debian package chromium" >&2
	apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi

sweep_flag=()
if [ "${SWEEP:-0}" = 1 ]; then sweep_flag=(-sweep); fi
(cd "$root" && go run ./reports/reportstest/samplereport -out "$out" "${sweep_flag[@]}")

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
	--disable-background-networking --disable-component-update --disable-sync
	--user-data-dir="$profile" --hide-scrollbars --virtual-time-budget=10000)
url="file://$out/index.html"

"$chromium" "${flags[@]}" --screenshot="$out/screenshot.png" --window-size=1400,4000 "$url" 2>"$out/chromium.log" || {
	echo "browsercheck: chromium failed to take the screenshot (see $out/chromium.log)" >&2
	exit 1
}
"$chromium" "${flags[@]}" --dump-dom "$url" >"$out/dom.html" 2>>"$out/chromium.log" || {
	echo "browsercheck: chromium failed to dump the DOM (see $out/chromium.log)" >&2
	exit 1
}

want=$(grep -o '<img ' "$out/index.html" | wc -l)
fail=0
if ! grep -q 'data-checked="1"' "$out/dom.html"; then
	echo "browsercheck: the page's load check did not run (script error or page did not load)" >&2
	fail=1
fi
if grep -q 'data-broken="1"' "$out/dom.html"; then
	echo "browsercheck: at least one image failed to load" >&2
	fail=1
fi
got=$(grep -o 'data-images-loaded="[0-9]*"' "$out/dom.html" | grep -o '[0-9]*' || echo 0)
if [ "$got" != "$want" ]; then
	echo "browsercheck: $got of $want images loaded" >&2
	fail=1
fi
if ! grep -q 'id="summary"' "$out/dom.html"; then
	echo "browsercheck: the page has no summary section" >&2
	fail=1
fi
if [ ! -s "$out/screenshot.png" ]; then
	echo "browsercheck: no screenshot written" >&2
	fail=1
fi
if [ $fail -ne 0 ]; then
	exit 1
fi
echo "browsercheck: ok: $got/$want images loaded; screenshot $out/screenshot.png"
