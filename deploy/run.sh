#!/usr/bin/env bash
# The README's *run* command: install what is missing, initialise the embedded default
# (SQLite, local object store, master key, GnuPG home under PORTAL_DATA_DIR, default ./var),
# install the web pages' stylesheet (npm ci), load the demo data and serve on
# http://127.0.0.1:8000 (PORTAL_HOST / PORTAL_PORT).
# Running it again reuses the data directory.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

ensure_system_packages gnupg libmagic1
ensure_python_env
ensure_web_assets
uv run --frozen portal demo
exec uv run --frozen portal serve
