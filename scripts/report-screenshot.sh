#!/usr/bin/env bash
# Renders a Werkstatt HTML report in headless Chromium (Debian's package) and saves a
# PNG, to check by eye what a printed report looks like. Screenshots stay out of git.
#
#   scripts/report-screenshot.sh URL-or-FILE [OUT.png]
#   scripts/report-screenshot.sh http://127.0.0.1:8080/reports/strategiewerkstatt-sachsen?lang=de
set -euo pipefail
source="${1:?usage: $0 URL-or-FILE [OUT.png]}"
out="${2:-.werkstatt/report.png}"
mkdir -p "$(dirname "$out")"

browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$browser" ]]; then
    if (( EUID == 0 )); then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
        browser=$(command -v chromium)
    else
        echo "$0: chromium is missing (sudo apt-get install chromium)" >&2
        exit 1
    fi
fi
[[ -f "$source" ]] && source="file://$(realpath "$source")"

# --no-sandbox: Chromium's sandbox refuses to run as root, which CI is.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size=1280,2400 --screenshot="$out" "$source" 2>/dev/null
echo "$out"
