#!/usr/bin/env bash
# The README's *test* command, and what .ci/run calls: install what the tests need, run the
# static checks (deploy/lib.sh, the same steps as deploy/check.sh) and every test against
# real PostgreSQL, MinIO, SeaweedFS, gpg and libmagic.
# The servers are started by the test session itself (tests/servers) on 127.0.0.1 and free
# ports in temporary directories, and stopped when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

MINIO_MODULE="github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c"
MINIO_BIN_DIR="$HOME/.cache/rto-portal/bin"
required="postgres,seaweedfs,chromium"

# chromium (with fonts-liberation, so screenshots look the same on every machine) for the
# browser tests: Playwright drives the system browser, its own download cannot work here.
ensure_system_packages gnupg libmagic1 postgresql chromium fonts-liberation
ensure_python_env
# The NL Design System CSS the pages use, so the browser tests see them as users will.
ensure_web_assets

# MinIO is distributed as source only: build it once from the Go module proxy and keep
# the binary under the home directory so later runs skip the build.
if [ -x "$MINIO_BIN_DIR/minio" ]; then
    say "MinIO: cached binary $MINIO_BIN_DIR/minio"
    required="$required,minio"
elif command -v go >/dev/null; then
    say "MinIO: building $MINIO_MODULE (several minutes, once)"
    start=$(date +%s)
    mkdir -p "$MINIO_BIN_DIR"
    GOBIN="$MINIO_BIN_DIR" GOFLAGS=-buildvcs=false GOTOOLCHAIN=local go install "$MINIO_MODULE"
    say "MinIO: built in $(( $(date +%s) - start )) s"
    required="$required,minio"
else
    say "MinIO: Go is missing, so the S3 tests run on SeaweedFS alone"
fi
if [ "${CI:-}" = "true" ] && [[ ",$required," != *",minio,"* ]]; then
    # CI on this machine must run the S3 tests on MinIO: missing, it fails rather than skips.
    required="$required,minio"
fi
export PORTAL_TEST_REQUIRE="$required"

static_checks

say "tests (required servers: $PORTAL_TEST_REQUIRE)"
uv run --frozen pytest --cov --cov-branch --cov-report=term:skip-covered "$@"

say "coverage: portal/domain, the protocol's rules, must be 100 % (branches included)"
uv run --frozen coverage report --include='portal/domain/*' --fail-under=100 --show-missing
