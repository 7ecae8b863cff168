# Shared steps of deploy/run.sh and deploy/test.sh. Sourced, not run.

say() { printf '==> %s\n' "$*" >&2; }

# Install Debian packages that are not installed yet (needs root and apt-get).
ensure_system_packages() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        say "missing system packages: ${missing[*]} (install them as root with apt-get)"
        return 1
    fi
    say "installing system packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# uv from PyPI if absent, then the locked environment in .venv.
ensure_python_env() {
    if ! command -v uv >/dev/null; then
        say "installing uv"
        python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
        export PATH="$HOME/.local/bin:$PATH"
    fi
    say "syncing the Python environment from uv.lock"
    uv sync --frozen --quiet
}
