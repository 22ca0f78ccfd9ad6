#!/usr/bin/env bash
# Set up and run the whole test suite (what CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
# The end-to-end test drives Debian's chromium; install it where we can (CI runs as root).
if [ -f scripts/install_browser.sh ]; then
  bash scripts/install_browser.sh || echo "warning: could not install chromium; the browser test will say why it cannot run" >&2
fi
exec .venv/bin/python -m pytest "$@"
