# Run by scripts/test.sh and scripts/demo.sh through `odoo shell` (env is given): add
# languages (SPM_LANGS, default zh_CN) to an installed database the way Settings > Languages >
# Add does, i.e. the base.language.install wizard run by the administrator, with every
# installed module's models set up.
#
# Not `odoo --load-language` on an installed database: Odoo 18 runs it while only base's models
# are set up, so base's terms load and every other module's records (crm's and this addon's
# stages, checklist items, gates, courses, channels, activity types...) stay in English.
import os

from odoo import Command

codes = os.environ.get("SPM_LANGS", "zh_CN").split(",")
langs = env["res.lang"].with_context(active_test=False).search([("code", "in", codes)])  # noqa: F821
if sorted(langs.mapped("code")) != sorted(codes):
    raise SystemExit(f"unknown language among {codes}")
admin = env.ref("base.user_admin")  # noqa: F821
env["base.language.install"].with_user(admin).create({"lang_ids": [Command.set(langs.ids)]}).lang_install()  # noqa: F821
env.cr.commit()  # noqa: F821  (odoo shell rolls back what the script leaves open)
print(f"languages loaded: {', '.join(langs.mapped('code'))}")
