#!/usr/bin/env bash
# The pre-commit hooks, run directly (works offline): ruff, ruff-format, pylint-odoo,
# OCA's oca-checks-odoo-module and oca-checks-po (settings: .oca_hooks.cfg), XML.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
check_python_packages ruff pylint pylint_odoo lxml oca_pre_commit_hooks
say "ruff"; ruff check .
say "ruff format"; ruff format --check .
say "pylint-odoo"; "$PYTHON" -m pylint --rcfile=setup.cfg --score=n sales_process_mgmt
say "oca-checks-odoo-module"; oca-checks-odoo-module --no-verbose sales_process_mgmt
say "oca-checks-po"; git ls-files -co --exclude-standard 'sales_process_mgmt/i18n/*.po*' | xargs oca-checks-po --no-verbose
say "xml"; git ls-files -co --exclude-standard '*.xml' | xargs "$PYTHON" -c "import sys, lxml.etree as e; [e.parse(f) for f in sys.argv[1:]]"
say "lint passed"
