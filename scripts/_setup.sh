# Shared set-up for scripts/run and scripts/test (sourced, not run).
# Installs missing Debian packages (as root or with passwordless sudo), creates
# .venv and installs eakte into it. Idempotent: a second run installs nothing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

say() { printf 'eakte setup: %s\n' "$*" >&2; }
die() { printf 'eakte setup: error: %s\n' "$*" >&2; exit 1; }

missing_debian_packages() {
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || printf '%s ' "$pkg"
    done
}

install_debian_packages() {
    local missing sudo=""
    command -v python3 >/dev/null || die "python3 (3.11 or newer) is needed: apt-get install python3"
    if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
        set -- "$@" python3-venv
    fi
    command -v dpkg-query >/dev/null || die "not a Debian system: install $* with your package manager"
    missing="$(missing_debian_packages "$@")"
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo="sudo -n"
        else
            die "these Debian packages are missing and I lack the rights to install them: ${missing}
Run this script as root, or first run: sudo apt-get install -y ${missing}"
        fi
    fi
    say "installing Debian packages: ${missing}"
    $sudo apt-get update -qq
    # shellcheck disable=SC2086  # word splitting of the package list is intended
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

ensure_venv() {
    local extras="${1:-}" spec="." stamp want
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || die "Python 3.11 or newer is needed; found $(python3 --version 2>&1)"
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating $VENV"
        python3 -m venv "$VENV"
    fi
    [ -n "$extras" ] && spec=".[${extras}]"
    stamp="$VENV/.eakte-installed${extras:+-$extras}"
    want="$(sha256sum < "$ROOT/pyproject.toml" | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "installing Python packages into $VENV"
        "$VENV/bin/python" -m pip install -q --upgrade pip
        (cd "$ROOT" && "$VENV/bin/python" -m pip install -q -e "$spec")
        printf '%s\n' "$want" > "$stamp"
    fi
    export PATH="$VENV/bin:$PATH"
}

# Debian packages every installation needs (OCR for the ingest pipeline).
RUNTIME_DEBIAN_PACKAGES=(tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng libmagic1)
