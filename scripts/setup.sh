#!/usr/bin/env bash
# Create .venv (once) and install the project into it with the given extras,
# every package pinned by constraints.txt (regenerate it with scripts/lock.sh).
# Usage: scripts/setup.sh [EXTRAS]   e.g. scripts/setup.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
spec="."
[ -n "${1:-}" ] && spec=".[$1]"
# Reinstall only when the package list changed, so repeated runs start at once.
stamp=".venv/.installed-$(cat setup.cfg pyproject.toml constraints.txt | cksum | cut -d' ' -f1)-${1:-base}"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -c constraints.txt -e "$spec"
  touch "$stamp"
fi
