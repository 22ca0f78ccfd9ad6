#!/usr/bin/env bash
# Set up and run the whole test suite (what CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
# The end-to-end test drives Debian's chromium; install it where we can (CI runs as root).
if [ -f scripts/install_browser.sh ]; then
  bash scripts/install_browser.sh || echo "warning: could not install chromium; the browser test will say why it cannot run" >&2
fi
# The cluster backend's tests start a 2-shard MariaDB + Mroonga cluster of their own; install
# the Debian packages where we can (root + apt), else those tests skip and say why.
bash scripts/cluster.sh install >/dev/null || echo "warning: could not install MariaDB + Mroonga; the cluster tests will say why they cannot run" >&2
exec .venv/bin/python -m pytest "$@"
