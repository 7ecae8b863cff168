# Shared steps of deploy/run.sh, deploy/check.sh and deploy/test.sh. Sourced, not run.

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

# uv where a new shell finds it, installed once, then the locked environment in .venv.
# As root uv goes to /usr/local/bin, which is on every user's PATH; otherwise to
# ~/.local/bin, and when that is not on the PATH we print the line that puts it there.
# uv comes from PyPI into a virtual environment of its own: Debian's Python refuses
# `pip install` outside one (PEP 668).
ensure_python_env() {
    local bin_dir="$HOME/.local/bin" venv="$HOME/.local/share/uv-venv"
    if [ "$(id -u)" -eq 0 ]; then
        bin_dir=/usr/local/bin venv=/opt/uv
    fi
    if ! command -v uv >/dev/null; then
        if [ ! -x "$bin_dir/uv" ]; then
            mkdir -p "$bin_dir"
            if [ -x "$HOME/.local/bin/uv" ]; then
                say "linking $bin_dir/uv to the uv already in ~/.local/bin"
                ln -sf "$HOME/.local/bin/uv" "$bin_dir/uv"
            else
                say "installing uv into $bin_dir"
                ensure_system_packages python3-venv
                python3 -m venv "$venv"
                "$venv/bin/python" -m pip install --quiet --disable-pip-version-check uv
                ln -sf "$venv/bin/uv" "$bin_dir/uv"
            fi
        fi
        case ":$PATH:" in
            *":$bin_dir:"*) ;;
            *) say "uv is in $bin_dir, which your PATH lacks; for \`uv run\` in this and new shells:"
               say "  echo 'export PATH=\"$bin_dir:\$PATH\"' >> ~/.bashrc && export PATH=\"$bin_dir:\$PATH\"" ;;
        esac
        export PATH="$bin_dir:$PATH"
    fi
    say "syncing the Python environment from uv.lock"
    uv sync --frozen --quiet
}

# The checks that need no server, in order: deploy/check.sh runs them and the unit tests,
# deploy/test.sh runs them before every test.
static_checks() {
    say "lint: ruff"
    uv run --frozen ruff check .
    uv run --frozen ruff format --check .
    say "types: mypy --strict"
    uv run --frozen mypy
    say "layers: import-linter"
    uv run --frozen lint-imports
    say "dependencies: deptry (every imported package declared, every declared one used)"
    uv run --frozen deptry .
    say "schema: tables and migrations agree"
    uv run --frozen portal db check
}

# The NL Design System component CSS (@utrecht/component-library-css, EUPL-1.2) for the web
# pages, from npm at set-up time and never committed: `npm ci` installs exactly what
# package-lock.json says, and the one stylesheet the pages use is copied beside the
# portal's own assets (portal/web/pages/static/vendor, ignored by git). Uses the npm that
# is there, else Debian's; without any npm the pages still work, as plain HTML.
ensure_web_assets() {
    local vendor=portal/web/pages/static/vendor
    if ! command -v npm >/dev/null; then
        ensure_system_packages nodejs npm || {
            say "no npm: the web pages will be served as plain HTML"
            return 0
        }
    fi
    say "installing the web assets (npm ci)"
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    mkdir -p "$vendor"
    cp node_modules/@utrecht/component-library-css/dist/index.css "$vendor/utrecht-components.css"
    cp node_modules/@utrecht/component-library-css/LICENSE.md "$vendor/LICENSE.md"
}
