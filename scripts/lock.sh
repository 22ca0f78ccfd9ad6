#!/usr/bin/env bash
# Regenerate constraints.txt: resolve setup.cfg's requirements (with the test and
# bench extras) afresh in a throwaway venv and pin every package to what it got.
# Run after changing install_requires or an extra, then run the tests: the pins are
# what scripts/setup.sh installs, so a fresh machine gets what the tests passed with.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet --upgrade pip
"$tmp/venv/bin/python" -m pip install --quiet ".[test,bench]"
{
  echo "# Pinned by scripts/lock.sh from setup.cfg (with the test and bench extras); used by scripts/setup.sh."
  "$tmp/venv/bin/python" -m pip freeze --exclude-editable | grep -viE '^(fazhi-search|pip|setuptools|wheel)[=@ ]'
} > constraints.txt
echo "constraints.txt: $(grep -vc '^#' constraints.txt) packages pinned"
