#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (Playwright's own browser download is
# not reachable here). Installs it when missing and we may; otherwise says how.
set -euo pipefail
chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$chromium_path" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: installing Debian's chromium (one time)…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  echo "ensure-chromium: $("$chromium_path" --version)"
  exit 0
fi
echo "ensure-chromium: no Chromium at $chromium_path." >&2
echo "  Install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH." >&2
exit 1
