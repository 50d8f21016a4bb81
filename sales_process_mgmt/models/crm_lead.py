from markupsafe import Markup

from odoo import api, models


class TrustedContextValue:
    """A context value that only server code can set.

    JSON-RPC and XML-RPC clients send contexts of plain values (strings, numbers,
    lists): they cannot send this object, so a context key that switches stage
    logic off only works when its value *is* one of these instances. The keys are
    removed from the context before the ORM goes on, so that nothing serialises them.
    """

    def __init__(self, name, **values):
        self.name = name
        self.values = values

    def __repr__(self):
        return f"<sales_process {self.name}>"


#: ``with_context(sales_process_skip=SKIP_STAGE_LOGIC)``: technical bulk writes from
#: code (data migrations, benchmarks' baselines) without gates, history or responsibilities.
SKIP_STAGE_LOGIC = TrustedContextValue("skip stage logic")
TRUSTED_KEYS = ("sales_process_skip", "sales_process_gate_override")


class SalesProcessMove:
    """A stage change of a set of leads, handed to the move hooks of every feature.

    :ivar leads: the leads that change stage (already written)
    :ivar stage: the stage they move to
    :ivar old_stages: {lead_id: stage} they leave (empty recordset: created)
    :ivar override: the gate override the manager confirmed (None: none)
    :ivar notes: {lead_id: [Markup]} lines logged on the leads after the move
    """

    __slots__ = ("leads", "notes", "old_stages", "override", "stage")

    def __init__(self, leads, stage, old_stages, override=None):
        self.leads = leads
        self.stage = stage
        self.old_stages = old_stages
        self.override = override
        self.notes = {}


class CrmLead(models.Model):
    """The one stage-move pipeline of the sales process.

    ``create``, ``write`` (forms, kanban, statusbar, import, RPC, bulk) and
    ``merge`` go through it; each feature plugs into its hooks in its own
    ``crm_lead_<feature>.py``:

    - ``_sales_process_check_move(move)``: after the write, before anything is
      recorded; raise to refuse the move (the whole write is undone);
    - ``_sales_process_after_move(move)``: record the move (history, work of
      the new stage, ...);
    - ``_sales_process_after_reassign()``: the salesperson or team changed;
    - ``_sales_process_after_archive()`` / ``_sales_process_after_restore()``:
      leads lost or archived, restored;
    - ``_sales_process_on_merge(opportunities)``: ``self`` absorbs the merged ones.
    """

    _inherit = "crm.lead"

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        skip = self._sales_process_skipped()
        leads = super(CrmLead, self._sales_process_clean_env()).create(vals_list).with_env(self.env)
        if not skip:
            entering = leads.filtered(lambda lead: lead.stage_id and lead.active)
            for stage, group in entering.sudo().grouped("stage_id").items():
                move = SalesProcessMove(group, stage, dict.fromkeys(group.ids, stage.browse()))
                group._sales_process_after_move(move)
                group._sales_process_log_move_notes(move)
        return leads

    def write(self, vals):
        if self._sales_process_skipped():
            return super(CrmLead, self._sales_process_clean_env()).write(vals)
        move = self._sales_process_prepare_move(vals)
        reassigned = self._sales_process_get_reassigned(vals)
        archived, restored = self._sales_process_get_active_changes(vals)
        result = super(CrmLead, self._sales_process_clean_env()).write(vals)
        # The write above is the user's, with the user's rights. Checking and recording
        # its consequences is the system's work, done as superuser on these leads only
        # (the user may no longer see a lead just handed to a colleague); who did it is
        # still the user (same uid).
        if move:
            leads = move.leads.sudo()
            leads._sales_process_check_move(move)
            leads._sales_process_after_move(move)
            leads._sales_process_log_move_notes(move)
            reassigned -= move.leads
        if reassigned:
            reassigned.sudo()._sales_process_after_reassign()
        if archived:
            archived.sudo()._sales_process_after_archive()
        if restored:
            restored.sudo()._sales_process_after_restore()
        return result

    def _merge_dependences(self, opportunities):
        super()._merge_dependences(opportunities)
        self._sales_process_on_merge(opportunities)

    # ------------------------------------------------------------------
    # Pipeline
    # ------------------------------------------------------------------

    @api.model
    def _sales_process_skipped(self):
        return self.env.context.get("sales_process_skip") is SKIP_STAGE_LOGIC

    def _sales_process_clean_env(self):
        """``self`` without the trusted keys, for the ORM and other modules."""
        if any(key in self.env.context for key in TRUSTED_KEYS):
            return self.with_context(dict.fromkeys(TRUSTED_KEYS))
        return self

    def _sales_process_get_override(self):
        """The gate override confirmed by the override wizard, if this write carries it."""
        value = self.env.context.get("sales_process_gate_override")
        return value if isinstance(value, TrustedContextValue) and value.name == "gate override" else None

    def _sales_process_prepare_move(self, vals):
        """The move ``vals`` makes (None when no lead changes stage)."""
        if "stage_id" not in vals:
            return None
        stage = self.env["crm.stage"].browse(vals["stage_id"])
        moving = self.filtered(lambda lead: lead.stage_id != stage)
        if not moving:
            return None
        return SalesProcessMove(
            moving, stage, {lead.id: lead.stage_id for lead in moving}, self._sales_process_get_override()
        )

    def _sales_process_get_reassigned(self, vals):
        """Leads of ``self`` whose salesperson or team ``vals`` changes."""
        if not ("user_id" in vals or "team_id" in vals):
            return self.browse()
        return self.filtered(
            lambda lead: (
                ("user_id" in vals and lead.user_id.id != (vals["user_id"] or False))
                or ("team_id" in vals and lead.team_id.id != (vals["team_id"] or False))
            )
        )

    def _sales_process_get_active_changes(self, vals):
        """(archived, restored): the leads ``vals`` archives (or marks lost) and restores."""
        if "active" not in vals:
            return self.browse(), self.browse()
        if vals["active"]:
            return self.browse(), self.filtered(lambda lead: not lead.active)
        return self.filtered("active"), self.browse()

    def _sales_process_check_move(self, move):
        """Hook: refuse ``move`` by raising; called after the write, before it is recorded."""

    def _sales_process_after_move(self, move):
        """Hook: record ``move`` (``self`` is ``move.leads``)."""

    def _sales_process_after_reassign(self):
        """Hook: the salesperson or team of ``self`` changed (stage unchanged)."""

    def _sales_process_after_archive(self):
        """Hook: ``self`` were archived or marked lost."""

    def _sales_process_after_restore(self):
        """Hook: ``self`` were restored (unarchived)."""

    def _sales_process_on_merge(self, opportunities):
        """Hook: ``self`` absorbs the merged ``opportunities`` (before they are deleted)."""

    def _sales_process_log_move_notes(self, move):
        """Log what the hooks noted on the leads of ``move``, one note per lead."""
        if move.notes:
            bodies = {lead_id: Markup().join(lines) for lead_id, lines in move.notes.items()}
            self.browse(list(bodies))._message_log_batch(bodies)
