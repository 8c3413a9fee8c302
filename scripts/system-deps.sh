#!/usr/bin/env bash
# What the test suite needs beyond Python: installed only when missing (idempotent).
#   pdftoppm, pdftotext  <- poppler-utils   (PDF reports are rendered in tests; pdffonts too)
#   Noto Sans CJK SC     <- fonts-noto-cjk  (Chinese reports and plots; ~56 MB download, ~91 MB installed)
#   /usr/bin/chromium    <- chromium        (the web workspace's end-to-end tests, driven by Playwright)
#   npm                  <- npm             (to fetch axe-core, the accessibility checker, from the npm registry)
#   .web-test-deps/node_modules/axe-core    (npm package, injected into pages by the browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -q "Noto Sans CJK SC" || need+=(fonts-noto-cjk)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "missing system packages: ${need[*]} (install them with your package manager)" >&2
  else
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
fi
AXE=.web-test-deps/node_modules/axe-core/axe.min.js
if [ ! -f "$AXE" ] && command -v npm >/dev/null 2>&1; then
  npm install --no-save --no-audit --no-fund --silent --prefix .web-test-deps axe-core@4 >/dev/null \
    || echo "could not install axe-core from the npm registry" >&2
fi
exit 0  # the tests that need a missing tool say so (and fail under CI)
