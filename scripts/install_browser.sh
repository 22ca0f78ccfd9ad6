#!/usr/bin/env bash
# Install Debian's chromium, chromium-driver and fonts-noto-cjk for the end-to-end browser test
# (tests/test_e2e_browser.py), but only when running as root with apt-get and the
# browser is not already there.  Anywhere else it does nothing: the test then
# skips and says why.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 && [ -d /usr/share/fonts/opentype/noto ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null   # the fonts: Chinese in printed pages
