#!/usr/bin/env bash
# The fallback tests put a real nginx in front of the service (tooling/nginx).
# Installs Debian's nginx-light when missing and we may; otherwise says how.
set -euo pipefail
nginx_path="/usr/sbin/nginx"
if [ -x "$nginx_path" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-nginx: installing Debian's nginx-light (one time)…"
  apt-get update -qq
  # No init system here: keep the package from starting the default site on :80.
  guard=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    guard=/usr/sbin/policy-rc.d
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
  [ -n "$guard" ] && rm -f "$guard"
  echo "ensure-nginx: $("$nginx_path" -v 2>&1)"
  exit 0
fi
echo "ensure-nginx: no nginx at $nginx_path; the proxy tests will skip." >&2
echo "  Install it (Debian/Ubuntu: sudo apt-get install -y nginx-light)." >&2
exit 0
