#!/usr/bin/env bash
# Renders a Compass report.html to PNG with headless Chromium (no network, no JavaScript needed).
#
#   scripts/screenshot-report.sh OUTDIR|report.html [out.png] [WIDTHxHEIGHT]
#
# Default PNG: report.png beside the report; default window 1400x3000 (CSS pixels). SCALE=0.5 in the
# environment shrinks the PNG (device scale factor), e.g. for the README's screenshot.
# Exits 0 with a "skipped" line when no Chromium is installed (so .ci/run can call it unconditionally),
# 1 when the report is missing or Chromium fails to write the PNG.
set -euo pipefail

target="${1:?usage: screenshot-report.sh OUTDIR|report.html [out.png] [WIDTHxHEIGHT]}"
if [[ -d "$target" ]]; then report="$target/report.html"; else report="$target"; fi
if [[ ! -f "$report" ]]; then echo "screenshot: no report at $report" >&2; exit 1; fi
report="$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
png="${2:-$(dirname "$report")/report.png}"
size="${3:-1400x3000}"
scale="${SCALE:-1}"

chromium=""
for candidate in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
  if [[ -n "$candidate" && -x "$candidate" ]]; then chromium="$candidate"; break; fi
done
if [[ -z "$chromium" ]]; then echo "screenshot: skipped (no Chromium found)"; exit 0; fi

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
rm -f "$png"
# --user-data-dir keeps runs independent; the timeout guards against a hung browser.
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
  --disable-extensions --hide-scrollbars --user-data-dir="$profile" --force-device-scale-factor="$scale" \
  --screenshot="$png" --window-size="${size/x/,}" "file://$report" >/dev/null 2>"$profile/stderr" || true
if [[ ! -s "$png" ]]; then
  echo "screenshot: Chromium wrote no PNG" >&2
  tail -n 5 "$profile/stderr" >&2 || true
  exit 1
fi
echo "screenshot: $png ($(stat -c %s "$png") bytes)"
