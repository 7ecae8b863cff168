#!/usr/bin/env bash
# The fast check, for every commit: the static checks of deploy/test.sh (ruff, ruff format,
# mypy --strict, import-linter, deptry, the migration drift check) and the unit tests. It
# starts no server and needs neither PostgreSQL nor MinIO, gpg nor libmagic. Extra
# arguments go to pytest (`bash deploy/check.sh -x`).
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

ensure_python_env
static_checks
say "unit tests"
uv run --frozen pytest tests/unit "$@"
