import re

import polib

from odoo import Command
from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader

# model:<model>,<field>:<module>.<xml id> and model_terms:... occurrences of a .po entry
OCCURRENCE = re.compile(r"(model|model_terms):([\w.]+),(\w+):(\w+\.\w+)$")
# technical records whose terms are checked elsewhere (views, field labels) or are the same
# in both languages (a field labelled "ID")
TECHNICAL = {"ir.model.fields", "ir.ui.view"}
# CJK ideographs and punctuation, full-width forms
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    """zh_CN added to an installed database, the way users add it (Settings > Languages > Add,
    the base.language.install wizard): every data and demo record a user sees reads in Chinese.

    ``scripts/test.sh`` adds zh_CN to the test database after installing the addon with its demo
    data, with that wizard (``scripts/load_language.py``), before the suite runs.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.zhang = cls.env.ref("sales_process_mgmt.user_salesperson_zhang_demo")
        cls.zhang.lang = "zh_CN"  # refused if zh_CN is not active in the database

    def _zh_cn_model_terms(self):
        """[(model, field, xml id, type, msgstr)] of zh_CN.po for this module's records."""
        po = polib.pofile(file_path("sales_process_mgmt/i18n/zh_CN.po"))
        terms = []
        for entry in po:
            if entry.obsolete or not entry.msgstr:
                continue
            for occurrence, _line in entry.occurrences:
                match = OCCURRENCE.match(occurrence)
                if match and match[2] not in TECHNICAL:
                    terms.append((match[2], match[3], match[4], match[1], entry.msgstr))
        return terms

    def _assert_records_read_in_chinese(self):
        terms = self._zh_cn_model_terms()
        self.assertGreater(len(terms), 150)
        wrong = []
        for model, field, xmlid, kind, msgstr in terms:
            record = self.env.ref(xmlid, raise_if_not_found=False)
            if not record:  # a data or demo record deleted since (none today)
                wrong.append(f"{xmlid}: missing")
                continue
            value = record.with_context(lang="zh_CN")[field]
            if (kind == "model" and value != msgstr) or (kind == "model_terms" and msgstr not in value):
                wrong.append(f"{model} {xmlid} {field}: {value!r}, not {msgstr!r}")
        self.assertEqual(wrong, [])

    def _assert_salesperson_sees_chinese(self):
        """What the demo salesperson zhang.wei (zh_CN) reads in the pipeline and the forms."""
        env = self.env(user=self.zhang, context={"lang": "zh_CN"})

        def ref(xmlid):
            return env.ref(f"sales_process_mgmt.{xmlid}")

        stages = [
            ref(f"stage_{name}_demo")
            for name in ("reception", "needs_confirmation", "presentation", "negotiation", "contract")
        ]
        self.assertEqual([s.name for s in stages], ["客户接待", "需求确认", "产品介绍", "价格谈判", "合同签订"])
        # crm's stock stages' external ids name the seed's stages: crm's own translations of
        # New / Qualified / Proposition must not win over the seed's
        self.assertEqual([env.ref(f"crm.stage_lead{i}").name for i in (1, 2, 3)], ["客户接待", "需求确认", "价格谈判"])
        self.assertEqual(env.ref("crm.stage_lead4").name, "赢得")
        self.assertEqual(ref("checklist_item_reception_1_demo").name, "已记录联系方式")
        self.assertEqual(ref("gate_reception_fields_demo").display_name, "已识别客户 (客户接待)")
        self.assertIn("检查项", ref("gate_needs_checklist_demo").display_name)
        self.assertEqual(ref("sales_channel_direct").name, "直销")
        self.assertEqual(ref("mail_activity_type_stage_work").name, "阶段工作")
        self.assertNotRegex(ref("crm_team_east_demo").name, r"[A-Za-z]")
        self.assertNotRegex(env["sales.process.training.course"].search([], limit=1).name, r"[A-Za-z]{3}")
        self.assertNotRegex(env["sales.process.customer.segment"].search([], limit=1).name, r"[A-Za-z]{3}")

    def test_demo_and_data_read_in_chinese_in_the_test_database(self):
        """make test's database got zh_CN after the install: its demo and data read in Chinese.

        Fails when scripts/test.sh adds zh_CN with `odoo --load-language` on the installed
        database (Odoo then loads the terms with only base's models set up) and when zh_CN.po
        lacks a record's term.
        """
        self._assert_records_read_in_chinese()
        self._assert_salesperson_sees_chinese()

    def _strip_zh_cn(self):
        """Remove the Chinese of every record zh_CN.po translates, as before zh_CN is added."""
        tables = {}
        for _model, field, xmlid, _kind, _msgstr in self._zh_cn_model_terms():
            record = self.env.ref(xmlid)
            tables.setdefault((record._table, field), set()).add(record.id)
        self.env.flush_all()
        for (table, column), ids in tables.items():
            self.env.cr.execute(
                f'UPDATE "{table}" SET "{column}" = "{column}" - %s WHERE id = ANY(%s)', ["zh_CN", list(ids)]
            )
        self.env.invalidate_all()
        reception = self.env.ref("sales_process_mgmt.stage_reception_demo").with_context(lang="zh_CN")
        self.assertEqual(reception.name, "Reception")

    def _add_zh_cn_in_the_settings(self):
        admin = self.env.ref("base.user_admin")
        zh_cn = self.env["res.lang"]._lang_get("zh_CN")
        wizard = self.env["base.language.install"].with_user(admin).create({"lang_ids": [Command.set(zh_cn.ids)]})
        wizard.lang_install()

    def test_crm_terms_of_its_stock_stages_do_not_rename_the_seed_stages(self):
        """The seed's stages took over crm's stock stages' external ids (crm.stage_lead1-3): crm's
        zh_CN names them 新建, 已评估, 提案 (New, Qualified, Proposition). When crm's terms reach
        them (crm's alone first, or in the same load as the addon's, where PostgreSQL picks which
        of two terms one UPDATE writes), adding zh_CN still gives them the seed's names."""
        self._strip_zh_cn()
        self.env["ir.module.module"]._load_module_terms(["crm"], ["zh_CN"])
        self.assertEqual(self.env.ref("crm.stage_lead1").with_context(lang="zh_CN").name, "新建")

        self._add_zh_cn_in_the_settings()

        stages = [self.env.ref(f"crm.stage_lead{i}").with_context(lang="zh_CN") for i in (1, 2, 3)]
        self.assertEqual([s.name for s in stages], ["客户接待", "需求确认", "价格谈判"])
        self._assert_records_read_in_chinese()

    def test_adding_zh_cn_in_the_settings_translates_the_records(self):
        """The administrator adds zh_CN (Settings > Languages > Add) to a database whose records
        have no Chinese yet: the wizard translates them all."""
        self._strip_zh_cn()
        self._add_zh_cn_in_the_settings()

        self._assert_records_read_in_chinese()
        self._assert_salesperson_sees_chinese()

    def test_english_terms_have_no_chinese(self):
        """The terms Odoo's exporter finds in the code, views, data and demo are English: the
        Chinese is in zh_CN.po (English users would see it). Catches it before `make pot`."""
        reader = TranslationModuleReader(self.env.cr, modules=["sales_process_mgmt"])
        chinese = sorted(
            {
                source
                for module, _type, _name, _id, source, _value, _comments in reader
                if module == "sales_process_mgmt" and CJK.search(source)
            }
        )
        self.assertEqual(chinese, [])

    def test_pot_has_every_data_and_demo_record_term(self):
        """The .pot lists the terms of every data and demo record, each with its record.

        Odoo merges the .pot into zh_CN.po when it loads it: an entry or occurrence missing from
        the .pot (e.g. exported from a database without demo data) is not loaded, however
        translated zh_CN.po is. `make pot` exports from a database with the demo data.
        """
        pot = polib.pofile(file_path("sales_process_mgmt/i18n/sales_process_mgmt.pot"))
        in_pot = {
            (occurrence, entry.msgid)
            for entry in pot
            for occurrence, _line in entry.occurrences
            if occurrence.startswith(("model:", "model_terms:"))
        }
        reader = TranslationModuleReader(self.env.cr, modules=["sales_process_mgmt"])
        found = {
            (f"{kind}:{name}:{xmlid}", source)
            for module, kind, name, xmlid, source, _value, _comments in reader
            if module == "sales_process_mgmt" and kind in ("model", "model_terms")
        }
        self.assertIn(("model:crm.stage,name:sales_process_mgmt.stage_reception_demo", "Reception"), found)
        self.assertEqual(sorted(found - in_pot), [], "run `make pot`")
