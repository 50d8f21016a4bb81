"""Checks that need no database: manifest, data files, XML, access CSV, translations."""

import ast
import csv
import re
from pathlib import Path

import polib
import pytest
from lxml import etree

ADDON = Path(__file__).resolve().parent.parent / "sales_process_mgmt"
MANIFEST = ast.literal_eval((ADDON / "__manifest__.py").read_text())
XML_FILES = sorted(p for p in ADDON.rglob("*.xml") if "static" not in p.parts)


def test_manifest_keys():
    assert re.fullmatch(r"18\.0\.\d+\.\d+\.\d+", MANIFEST["version"])
    assert MANIFEST["license"] == "LGPL-3"
    assert MANIFEST["category"] == "Sales/CRM"
    assert "crm" in MANIFEST["depends"]
    assert "xlsxwriter" in MANIFEST["external_dependencies"]["python"]


def test_manifest_files_exist_and_are_all_listed():
    listed = MANIFEST.get("data", []) + MANIFEST.get("demo", [])
    for name in listed:
        assert (ADDON / name).is_file(), f"{name} is in the manifest but does not exist"
    data_files = {
        str(p.relative_to(ADDON))
        for folder in ("data", "demo", "security", "views", "reports", "wizards")
        for p in (ADDON / folder).glob("*")
        if p.suffix in (".xml", ".csv")
    }
    assert data_files - set(listed) == set(), "data files not loaded by the manifest"


def test_security_loaded_first_and_menus_last():
    data = MANIFEST["data"]
    assert data[0] == "security/sales_process_security.xml"
    assert data[1] == "security/ir.model.access.csv"
    assert data[-1] == "views/sales_process_menus.xml"


@pytest.mark.parametrize("path", XML_FILES, ids=lambda p: str(p.relative_to(ADDON)))
def test_xml_well_formed_and_odoo18_syntax(path):
    tree = etree.parse(str(path))
    assert tree.getroot().tag == "odoo"
    text = path.read_text()
    assert "<tree" not in text, "Odoo 18 uses <list>"
    assert "attrs=" not in text and "states=" not in text, "Odoo 18 uses invisible=/readonly= expressions"


def test_access_csv():
    with open(ADDON / "security" / "ir.model.access.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), "duplicate access ids"
    for row in rows:
        assert row["id"].startswith("access_"), row["id"]
        assert row["group_id:id"], f"{row['id']} grants access to everybody"
        for perm in ("perm_read", "perm_write", "perm_create", "perm_unlink"):
            assert row[perm] in ("0", "1"), row["id"]


def test_zh_cn_translation_complete():
    pot = polib.pofile(str(ADDON / "i18n" / "sales_process_mgmt.pot"))
    po = polib.pofile(str(ADDON / "i18n" / "zh_CN.po"))
    translated = {entry.msgid: entry.msgstr for entry in po if not entry.obsolete}
    missing = [entry.msgid for entry in pot if not translated.get(entry.msgid)]
    assert not missing, f"{len(missing)} msgids without zh_CN translation, first: {missing[:5]}"
    assert not (ADDON / "i18n" / "en.po").exists()


def test_zh_cn_placeholders_match():
    """A translation keeps every %(name)s / %s placeholder of its msgid."""
    po = polib.pofile(str(ADDON / "i18n" / "zh_CN.po"))
    pattern = re.compile(r"%\(\w+\)[sd]|%[sd]")
    for entry in po:
        if entry.msgstr:
            assert sorted(pattern.findall(entry.msgid)) == sorted(pattern.findall(entry.msgstr)), entry.msgid


# CJK ideographs and punctuation, full-width forms
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def test_pot_msgids_are_english():
    """English is the source language: Chinese belongs in zh_CN.po's msgstr, never in a msgid
    (English users would see it)."""
    pot = polib.pofile(str(ADDON / "i18n" / "sales_process_mgmt.pot"))
    chinese = [entry.msgid for entry in pot if CJK.search(entry.msgid)]
    assert not chinese, f"msgids with Chinese: {chinese}"
