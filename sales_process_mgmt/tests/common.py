import gc
from contextlib import contextmanager
from datetime import timedelta

from odoo.tests import TransactionCase, new_test_user


class SalesProcessCase(TransactionCase):
    """Users of every group, two companies, a team and the seed's five stages.

    Built once per class; mail tracking is off where mail is not the point.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.company = cls.env.ref("base.main_company")
        cls.company_2 = cls.env["res.company"].create({"name": "SPM Second Company"})
        common = {"company_id": cls.company.id, "company_ids": [cls.company.id]}
        cls.user_salesman = new_test_user(
            cls.env, login="spm_salesman", name="SPM Salesman", groups="sales_team.group_sale_salesman", **common
        )
        cls.user_salesman_2 = new_test_user(
            cls.env, login="spm_salesman_2", name="SPM Salesman 2", groups="sales_team.group_sale_salesman", **common
        )
        cls.user_manager = new_test_user(
            cls.env, login="spm_manager", name="SPM Manager", groups="sales_team.group_sale_manager", **common
        )
        cls.user_admin = new_test_user(
            cls.env,
            login="spm_admin",
            name="SPM Admin",
            groups="sales_team.group_sale_manager,sales_process_mgmt.group_sales_process_admin",
            **common,
        )
        cls.user_employee = new_test_user(
            cls.env, login="spm_employee", name="SPM Employee", groups="base.group_user", **common
        )
        cls.user_salesman_c2 = new_test_user(
            cls.env,
            login="spm_salesman_c2",
            name="SPM Salesman C2",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company_2.id,
            company_ids=[cls.company_2.id],
        )
        cls.team = cls.env["crm.team"].create(
            {"name": "SPM Team", "user_id": cls.user_manager.id, "company_id": cls.company.id}
        )
        cls.team_2 = cls.env["crm.team"].create({"name": "SPM Team 2", "company_id": cls.company.id})
        Stage = cls.env["crm.stage"]
        cls.stage_reception = Stage.create({"name": "SPM Reception", "sequence": 901})
        cls.stage_needs = Stage.create({"name": "SPM Needs", "sequence": 902})
        cls.stage_presentation = Stage.create({"name": "SPM Presentation", "sequence": 903})
        cls.stage_negotiation = Stage.create({"name": "SPM Negotiation", "sequence": 904})
        cls.stage_contract = Stage.create({"name": "SPM Contract", "sequence": 905})
        cls.stage_won = Stage.create({"name": "SPM Won", "sequence": 990, "is_won": True})

    @classmethod
    def _create_leads(cls, count=1, **values):
        vals = {
            "type": "opportunity",
            "user_id": cls.user_salesman.id,
            "team_id": cls.team.id,
            "stage_id": cls.stage_reception.id,
            "company_id": cls.company.id,
        }
        vals.update(values)
        return cls.env["crm.lead"].create([dict(vals, name=f"SPM Lead {i}") for i in range(count)])

    @classmethod
    def _add_gate(cls, stage, criterion, mode="block", **values):
        return cls.env["sales.process.stage.gate"].create(
            dict(values, stage_id=stage.id, criterion=criterion, mode=mode)
        )

    @classmethod
    def _add_item(cls, stage, name, required=True, evidence="none"):
        return cls.env["sales.process.checklist.item"].create(
            {"stage_id": stage.id, "name": name, "required": required, "evidence": evidence}
        )

    def _tick(self, leads, **values):
        """Tick the current checklist lines of ``leads``."""
        leads.checklist_ids.write(dict(values, done=True))

    def _set_entered(self, leads, days_ago):
        """Pretend ``leads`` entered their current stage ``days_ago`` days before now."""
        date_in = self.env.cr.now() - timedelta(days=days_ago)
        leads.write({"date_last_stage_update": date_in})
        self.env.flush_all()
        self.env.cr.execute(
            """
            UPDATE sales_process_stage_history h SET date_in = %s, deadline = l.stage_deadline
              FROM crm_lead l WHERE l.id = h.lead_id AND h.lead_id = ANY(%s) AND h.is_open
            """,
            (date_in, leads.ids),
        )
        self.env["sales.process.stage.history"].invalidate_model()
        return date_in

    @contextmanager
    def assertRaisesMessage(self, exception, regex):
        """assertRaises (rolls back to a savepoint, unlike assertRaisesRegex) + message check."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertRegex(str(catcher.exception), regex)

    def _run_mail_jobs(self):
        """Run the mail work the moves queued, as the cron does after their commit."""
        self.env.flush_all()
        self.env.ref("sales_process_mgmt.ir_cron_mail_jobs").method_direct_trigger()
        self.env.invalidate_all()

    def _cold_start(self):
        """Flush and drop the caches before a measured call, transient environments too.

        An environment lives as long as something references it and keeps its lazily
        read ``company``; the garbage collector frees the ones of earlier calls at any
        moment, so counts that compare two calls start from none of them.
        """
        self.env.flush_all()
        self.env.invalidate_all()
        gc.collect()
        return self.cr.sql_log_count
