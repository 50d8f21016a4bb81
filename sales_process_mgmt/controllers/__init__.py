from . import report_xlsx
