"""pytest configuration shared by the Odoo suite and the no-database checks."""

try:
    import odoo.tools
except ImportError:  # the no-database checks run without Odoo
    odoo = None

if odoo is not None:
    # pytest-odoo imports odoo.tests before Odoo is in test mode, which makes
    # Odoo log an ERROR "Importing test framework"; import it in test mode first.
    odoo.tools.config["test_enable"] = True
    import odoo.tests

    odoo.tools.config["test_enable"] = False
