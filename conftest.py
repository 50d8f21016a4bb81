"""pytest configuration shared by the Odoo suite and the no-database checks."""

import logging

import pytest

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


class _LogCheck(logging.Handler):
    """Collects the WARNING/ERROR/CRITICAL records that reach the root logger.

    Odoo's own test runner fails a test that logs an error; pytest-odoo does not. Records
    silenced where a test provokes them (``mute_logger``, ``assertLogs``) never get here.
    """

    def __init__(self):
        super().__init__(logging.WARNING)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))

    def take(self):
        lines, self.lines = self.lines, []
        return lines


_log_check = _LogCheck()


def pytest_configure(config):
    logging.getLogger().addHandler(_log_check)


def pytest_unconfigure(config):
    logging.getLogger().removeHandler(_log_check)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test phase (setup, call, teardown) that logged a WARNING or worse fails, with the lines.

    The failure is the test's own: pytest's summary line stays the last line printed and
    counts it, and its exit code says so (OCA CI's checklog, test by test).
    """
    outcome = yield
    lines = _log_check.take()
    if lines:
        report = outcome.get_result()
        report.outcome = "failed"
        report.longrepr = (
            f"WARNING/ERROR logged during {call.when} (mute_logger where a test provokes it):\n"
            + "\n".join(lines)
            + (f"\n\n{report.longrepr}" if report.longrepr else "")
        )


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """Lines logged outside any test (collection, server start/stop) fail the run too."""
    lines = _log_check.take()
    if lines:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.write_line("WARNING/ERROR logged outside the tests:", red=True)
            for line in lines:
                reporter.write_line(line)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
