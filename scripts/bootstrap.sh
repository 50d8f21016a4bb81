#!/usr/bin/env bash
# Set up Odoo 18.0 for the project on a fresh Debian/Ubuntu machine, in .odoo/
# (git-ignored): the system packages, upstream Odoo's source in .odoo/src, and a
# virtual environment in .odoo/venv with Odoo's requirements, Odoo itself
# (editable) and this project's requirements (OCA addon wheels included).
# make demo / make test call it when Odoo is not importable; each step is skipped
# when it is already done, so a second run only checks.
#   ODOO_REPO  where to clone Odoo from (default: upstream; a local path or mirror works)
#   ODOO_REF   the branch or tag to clone (default: 18.0)
#   SPM_BASE_PYTHON  the interpreter the virtual environment is made from (default: python3)
source "$(dirname "$0")/lib.sh"

ODOO_REPO="${ODOO_REPO:-https://github.com/odoo/odoo.git}"
ODOO_REF="${ODOO_REF:-18.0}"
SRC="$ODOO_HOME/src"
STEPS=5

step() { printf '== [%s/%s] %s\n' "$1" "$STEPS" "$2"; }
done_already() { printf '   already done: %s\n' "$*"; }
sha() { cat "$@" | sha256sum | cut -c1-16; }

# Stamp files in the venv remember what each pip step installed (by the sha of
# its inputs), so that a changed requirements file is installed again.
stamp_ok() { [ -f "$ODOO_VENV/.spm-$1" ] && [ "$(cat "$ODOO_VENV/.spm-$1")" = "$2" ]; }
stamp() { echo "$2" > "$ODOO_VENV/.spm-$1"; }

# pip, showing what it downloads and builds, one line each (all of it in .odoo/pip.log).
pip_install() {
    local rc
    set +o pipefail
    PIP_CONSTRAINT="$ODOO_HOME/constraints.txt" PIP_PROGRESS_BAR=off PIP_DISABLE_PIP_VERSION_CHECK=1 \
        "$ODOO_VENV/bin/python" -m pip install "$@" 2>&1 | tee -a "$ODOO_HOME/pip.log" \
        | grep --line-buffered -E '^(Collecting|  Downloading|Building wheel|  Building wheel for|Successfully|ERROR|error|  ×|Installing collected)' \
        | sed -u 's/^/   /'
    rc=${PIPESTATUS[0]}
    set -o pipefail
    [ "$rc" = 0 ] || die "pip install $* failed (exit $rc): the lines above say which package, $ODOO_HOME/pip.log why."
}

# 1. System packages: PostgreSQL, Chromium (tours), wkhtmltopdf (PDF reports), poppler-utils
#    (pdftotext: the PDF tests read the reports' text), CJK
#    fonts (zh_CN reports and screenshots), git, venv and the headers that Odoo's
#    pinned sdists build against (psycopg2: libpq; python-ldap: ldap, sasl).
system_packages() {
    local wanted=(git python3-venv python3-dev build-essential libpq-dev libldap2-dev libsasl2-dev
        libxml2-dev libxslt1-dev libjpeg-dev zlib1g-dev wkhtmltopdf poppler-utils fonts-noto-cjk
        postgresql-15 postgresql-client-15 chromium)
    local missing=() pkg
    command -v dpkg-query >/dev/null 2>&1 || { echo "   not a Debian/Ubuntu system: install PostgreSQL 15, Chromium, wkhtmltopdf, CJK fonts and the libpq/ldap/sasl headers yourself"; return 0; }
    installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
    for pkg in "${wanted[@]}"; do installed "$pkg" || missing+=("$pkg"); done
    if [ ${#missing[@]} = 0 ]; then done_already "${#wanted[@]} packages installed"; return 0; fi
    # Ubuntu ships another PostgreSQL (any 12+ works with Odoo 18) and chromium-browser
    if [[ " ${missing[*]} " = *" postgresql-15 "* ]] && ! apt-cache show postgresql-15 >/dev/null 2>&1; then
        missing=("${missing[@]/postgresql-15/postgresql}")
        missing=("${missing[@]/postgresql-client-15/postgresql-client}")
    fi
    if [[ " ${missing[*]} " = *" chromium "* ]] && ! apt-cache show chromium >/dev/null 2>&1; then
        missing=("${missing[@]/chromium/chromium-browser}")
    fi
    local still=()
    for pkg in "${missing[@]}"; do installed "$pkg" || still+=("$pkg"); done
    missing=("${still[@]}")
    if [ ${#missing[@]} = 0 ]; then done_already "${#wanted[@]} packages installed"; return 0; fi
    if [ "$(id -u)" != 0 ]; then
        die "Missing system packages; install them with:
    sudo apt-get install -y ${missing[*]}
and run the command again."
    fi
    echo "   apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# 2. Odoo's source: a shallow clone of one branch.
odoo_source() {
    local repo="$ODOO_REPO"
    if [ -f "$SRC/odoo/release.py" ]; then
        done_already "$SRC ($(git -C "$SRC" remote get-url origin 2>/dev/null || echo '?') $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo '?'))"
        return 0
    fi
    # a local path: file:// so that --depth applies (and no hard links into it)
    [ -d "$repo" ] && repo="file://$(cd "$repo" && pwd)"
    echo "   git clone --depth 1 --branch $ODOO_REF $repo (about 300 MB for upstream)"
    rm -rf "$SRC"
    mkdir -p "$ODOO_HOME"
    git clone --depth 1 --branch "$ODOO_REF" --progress "$repo" "$SRC.part" 2>&1 \
        | tr '\r' '\n' | grep --line-buffered -E '^(Cloning|Receiving objects: +[0-9]*[05]%|Receiving objects: 100%|Updating files: 100%|fatal)' \
        | sed -u 's/^/   /' || true
    [ -f "$SRC.part/odoo/release.py" ] || die "Cloning Odoo $ODOO_REF from $ODOO_REPO failed (set ODOO_REPO to a mirror or a local clone)."
    mv "$SRC.part" "$SRC"
}

# 3. The virtual environment, from a Python that Odoo 18 supports (3.10 to 3.12).
virtual_env() {
    local base="${SPM_BASE_PYTHON:-python3}"
    if [ -x "$ODOO_VENV/bin/python" ]; then done_already "$ODOO_VENV ($("$ODOO_VENV/bin/python" -V))"; return 0; fi
    "$base" -c 'import sys; assert (3, 10) <= sys.version_info[:2] <= (3, 12)' 2>/dev/null \
        || die "$base is not Python 3.10-3.12 (Odoo 18.0's range): set SPM_BASE_PYTHON."
    echo "   $base -m venv $ODOO_VENV ($("$base" -V))"
    "$base" -m venv "$ODOO_VENV"
}

# 4. Odoo's requirements, then Odoo itself, editable (compat mode: a plain path
#    entry, so that tools that read sys.path find the odoo package and its addons).
#    Known quirks: setuptools<80 while building (pkg_resources), --use-pep517.
odoo_requirements() {
    local key
    # some of Odoo's pinned sdists still import pkg_resources while they build
    echo 'setuptools<80' > "$ODOO_HOME/constraints.txt"
    key="$(sha "$SRC/requirements.txt")"
    if stamp_ok odoo-requirements "$key"; then
        done_already "Odoo's requirements.txt"
    else
        echo "   pip install -r $SRC/requirements.txt (about 60 packages; psycopg2 and python-ldap build from source)"
        # a venv's own setuptools may be too old for Odoo's editable install
        pip_install -U wheel "setuptools<80"
        pip_install -r "$SRC/requirements.txt"
        stamp odoo-requirements "$key"
    fi
    key="$(git -C "$SRC" rev-parse HEAD 2>/dev/null || echo none)"
    if stamp_ok odoo "$key" && [ -x "$ODOO_VENV/bin/odoo" ]; then
        done_already "Odoo (editable, $SRC)"
    else
        echo "   pip install -e $SRC"
        # --use-pep517: without it pip runs the legacy `setup.py develop`, whose
        # odoo script resolves every distribution through pkg_resources at start
        pip_install --no-deps --use-pep517 --no-build-isolation -e "$SRC" --config-settings editable_mode=compat
        stamp odoo "$key"
    fi
}

# 5. This project's requirements (test and lint tools, OCA addon wheels).
project_requirements() {
    local key
    key="$(sha "$ROOT/requirements.txt" "$ROOT/requirements-dev.txt")"
    if stamp_ok project-requirements "$key"; then done_already "requirements-dev.txt"; return 0; fi
    echo "   pip install -r requirements-dev.txt (pytest-odoo, linters; OCA addons from requirements.txt)"
    pip_install -r "$ROOT/requirements-dev.txt"
    stamp project-requirements "$key"
}

[ "${CI:-}" = true ] && die "CI never bootstraps Odoo: .ci/run installs it."
step 1 "System packages"; system_packages
step 2 "Odoo $ODOO_REF source from $ODOO_REPO"; odoo_source
step 3 "Virtual environment"; virtual_env
use_odoo_venv
step 4 "Odoo's requirements and Odoo itself"; odoo_requirements
step 5 "The project's requirements"; project_requirements
version="$("$PYTHON" -c 'import odoo.release as r; print(r.version)' 2>/dev/null)" \
    || die "Odoo is still not importable by $PYTHON after the set-up."
say "Odoo $version is ready in $ODOO_HOME"
