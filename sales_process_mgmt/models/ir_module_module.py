from odoo import api, models
from odoo.tools.translate import TranslationImporter, get_po_paths


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    @api.model
    def _load_module_terms(self, modules, langs, overwrite=False, imported_module=False):
        """Give this module's terms the last word on its stages that another module names too.

        The demo's seed stages take over crm's stock stages' external ids (crm.stage_lead1-3,
        see demo/crm_stage_demo.xml), so crm's terms for New, Qualified and Proposition reach
        them as well: loaded first, they stay (the stages are noupdate), loaded together with
        this module's, PostgreSQL picks which one its UPDATE writes.
        """
        super()._load_module_terms(modules, langs, overwrite=overwrite, imported_module=imported_module)
        if "sales_process_mgmt" not in modules:
            return
        self.env.cr.execute(
            """
            SELECT ours.module || '.' || ours.name
              FROM ir_model_data ours
              JOIN ir_model_data other
                ON other.model = ours.model AND other.res_id = ours.res_id AND other.module != ours.module
             WHERE ours.module = 'sales_process_mgmt' AND ours.model = 'crm.stage'
            """
        )
        xmlids = {xmlid for (xmlid,) in self.env.cr.fetchall()}
        if not xmlids:
            return
        importer = TranslationImporter(self.env.cr, verbose=False)
        for lang in langs:
            for po_path in get_po_paths("sales_process_mgmt", lang):
                importer.load_file(po_path, lang, xmlids=xmlids)
        importer.save(overwrite=True, force_overwrite=True)
