from . import sales_process_pdf_reports
