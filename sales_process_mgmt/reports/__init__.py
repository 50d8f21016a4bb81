from . import sales_process_pdf_reports
from . import sales_process_xlsx
from . import sales_process_xlsx_sheets
from . import sales_process_report_xlsx
