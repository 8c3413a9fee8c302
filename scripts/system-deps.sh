#!/usr/bin/env bash
# Debian packages the test suite needs beyond Python: installed only when missing (idempotent).
#   pdftoppm, pdftotext  <- poppler-utils   (the validation report's PDF is rendered in a test)
set -euo pipefail
need=()
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "missing system packages: ${need[*]} (install them with your package manager)" >&2
  exit 0  # the tests that need them say so; CI runs as root and installs them
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
