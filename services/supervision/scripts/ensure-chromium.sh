#!/usr/bin/env bash
# Makes sure Debian's chromium (and a font with Chinese glyphs, so the
# console's labels render in screenshots) are installed for the console's
# browser test, driven by playwright-core, which brings no browser of its own.
# Idempotent: does nothing when both are present.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need+=(fonts-wqy-zenhei)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${need[@]}" >/dev/null
echo "installed: ${need[*]}"
