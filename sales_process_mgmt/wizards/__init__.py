from . import sales_process_gate_override_wizard
from . import sales_process_rating_wizard
from . import sales_process_need_suggestion
from . import sales_process_export_wizard
