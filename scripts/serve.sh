#!/usr/bin/env bash
# The main job: set up, build the index from the bundled sample reports if
# there is none, and serve the web UI on http://127.0.0.1:8000/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m search_web "$@"
