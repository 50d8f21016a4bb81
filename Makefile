# The project's two commands and their helpers. See README.md.
.PHONY: demo test check upgrade-check wheel-check bench lint pot screenshots clean

# Both set Odoo 18.0 up in .odoo/ first when it is not importable (scripts/bootstrap.sh).
demo:  ## serve the demo database at http://localhost:8069 (FRESH=1 recreates it)
	SPM_FRESH=$(FRESH) scripts/demo.sh

test:  ## install checks, upgrade check + the whole test suite (pytest-odoo, tours, static checks)
	scripts/test.sh

upgrade-check:  ## install the last release (.ci/last_release), add records, upgrade to the working tree
	scripts/upgrade_check.sh

wheel-check:  ## build the addon's wheel, install it in a fresh venv and the addon from there (CI runs it)
	scripts/wheel_check.sh

check:  ## only the no-database checks
	bash -c 'source scripts/lib.sh && "$$PYTHON" -m pytest -p no:odoo -p no:cacheprovider tests'

lint:  ## ruff, ruff-format, pylint-odoo, XML checks (the pre-commit hooks)
	scripts/lint.sh

bench:  ## benchmarks at scale in a throw-away database (not part of make test)
	scripts/bench.sh

pot:  ## re-export i18n/sales_process_mgmt.pot and merge it into zh_CN.po
	scripts/i18n.sh

screenshots:  ## refresh the README screenshots from the demo database
	scripts/screenshots.sh

clean:  ## stop the private PostgreSQL cluster and delete .run/
	bash -c 'source scripts/lib.sh && pg_stop' && rm -rf .run
