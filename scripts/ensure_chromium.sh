#!/usr/bin/env bash
# Make sure a headless Chromium is available for the dashboard's browser test
# (tests/python/test_dashboard_browser.py). Installs Debian's `chromium` when it is missing;
# `make test` and CI call this before pytest. Prints the browser's path.
set -euo pipefail

for candidate in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    if [[ -n "$candidate" && -x "$candidate" ]]; then
        echo "$candidate"
        exit 0
    fi
done

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: no chromium and no apt-get here; install Chromium and set CHROMIUM=<path>" >&2
    exit 1
fi

sudo_cmd=()
if [[ "$(id -u)" != "0" ]]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo_cmd=(sudo)
    else
        echo "ensure_chromium: chromium is missing and installing it needs root (or sudo)" >&2
        exit 1
    fi
fi

echo "ensure_chromium: installing Debian's chromium ..." >&2
"${sudo_cmd[@]}" apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends chromium >&2
echo /usr/bin/chromium
