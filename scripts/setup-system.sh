#!/usr/bin/env bash
# System packages the test suite needs (Debian): chromium for browser tests, Pango and fonts
# for PDF reports.
# Idempotent and quiet when everything is already there.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# PDF reports (WeasyPrint): Pango, HarfBuzz subsetting and a font with the report's glyphs.
# poppler-utils: pdftotext, with which the tests read the PDF back.
for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup-system: please install: ${need[*]} (needs root)" >&2
        exit 0
    fi
    echo "setup-system: installing ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
