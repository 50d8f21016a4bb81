"""The suite's log check (conftest.py): a test that logs a WARNING or worse fails."""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_test_logging_a_warning_fails_and_the_summary_stays_last(tmp_path):
    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_sample.py").write_text(
        textwrap.dedent(
            """
            import logging

            _logger = logging.getLogger("odoo.addons.sample")

            def test_warns():
                _logger.warning("unexpected %s", "trouble")

            def test_info_is_fine():
                _logger.info("all good")

            def test_quiet():
                pass
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:odoo", "-p", "no:cacheprovider", "-q", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 1, result.stdout
    assert "WARNING/ERROR logged during call" in result.stdout
    assert "WARNING odoo.addons.sample: unexpected trouble" in result.stdout
    assert "FAILED test_sample.py::test_warns" in result.stdout
    assert "1 failed, 2 passed" in lines[-1]
