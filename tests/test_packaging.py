"""Checks that need no database: the addon as OCA ships it (wheel build backend, readme
fragments and the Apps page made from them) and the release its upgrade check starts from."""

import ast
import importlib.util
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDON = ROOT / "sales_process_mgmt"
MANIFEST = ast.literal_eval((ADDON / "__manifest__.py").read_text())


def _version(text):
    return tuple(int(part) for part in text.split("."))


def test_pyproject_builds_with_whool():
    pyproject = tomllib.loads((ADDON / "pyproject.toml").read_text())
    assert pyproject["build-system"] == {"requires": ["whool"], "build-backend": "whool.buildapi"}


def test_readme_fragments():
    for name in ("DESCRIPTION", "CONFIGURE", "USAGE", "ROADMAP", "CONTRIBUTORS"):
        fragment = ADDON / "readme" / f"{name}.md"
        assert fragment.is_file() and fragment.read_text().strip(), f"readme/{name}.md is missing or empty"


def test_index_html_in_step_with_the_fragments():
    spec = importlib.util.spec_from_file_location("gen_addon_readme", ROOT / "scripts" / "gen_addon_readme.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    index = ADDON / "static" / "description" / "index.html"
    assert index.read_text(encoding="utf-8") == generator.render(), (
        "static/description/index.html is stale: run python3 scripts/gen_addon_readme.py"
    )
    assert (ADDON / "static" / "description" / "icon.png").is_file()


def test_last_release_and_migrations():
    release = dict(
        line.split("=", 1) for line in (ROOT / ".ci" / "last_release").read_text().splitlines() if "=" in line
    )
    assert re.fullmatch(r"18\.0\.\d+\.\d+\.\d+", release["version"])
    assert re.fullmatch(r"[0-9a-f]{40}", release["commit"])
    current = _version(MANIFEST["version"])
    assert current >= _version(release["version"]), "the manifest's version is older than the last release"
    migrations = ADDON / "migrations"
    for folder in sorted(migrations.iterdir()) if migrations.is_dir() else []:
        assert re.fullmatch(r"18\.0\.\d+\.\d+\.\d+", folder.name), f"migrations/{folder.name}: not 18.0.x.y.z"
        # Odoo runs a migration when the version it upgrades to reaches the folder's
        assert _version(folder.name) <= current, (
            f"migrations/{folder.name} is newer than the manifest's version {MANIFEST['version']}: bump it"
        )


def test_chinese_readme_has_the_same_sections_and_images():
    """README.zh_CN.md translates README.md: one section per section, the same screenshots."""
    english = (ROOT / "README.md").read_text(encoding="utf-8")
    chinese = (ROOT / "README.zh_CN.md").read_text(encoding="utf-8")
    for pattern in (r"^#{2,3} ", r"^```"):
        assert len(re.findall(pattern, chinese, re.M)) == len(re.findall(pattern, english, re.M)), (
            f"README.zh_CN.md and README.md differ in their {pattern!r} lines: translate the change"
        )
    images = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")
    assert images.findall(chinese) == images.findall(english)
