"""The sales process workbooks are downloaded on a read-only cursor.

Odoo's ``/report/download`` is a read/write route (PDF reports may save attachments);
report_xlsx's handler downloads through it. For this addon's xlsx reports, which only
read, the route's ``readonly`` callable answers True, so that Odoo serves them from the
replica when the deployment has one (``--db_replica_host``), as it does for the
``/report/<converter>/...`` routes.
"""

import json
from urllib.parse import parse_qs, urlsplit

from odoo.addons.report_xlsx.controllers.main import ReportController
from odoo.exceptions import UserError
from odoo.http import content_disposition, request, route

REPORT_PREFIX = "/report/xlsx/sales_process_mgmt."
EXPORT_PATH = "/report/xlsx/sales_process_mgmt.export_xlsx"


def _sales_process_report_url(data):
    """The report URL of a ``/report/download`` request when it is one of this addon's workbooks."""
    try:
        url, report_type = json.loads(data)[:2]
    except (TypeError, ValueError):
        return None
    if report_type == "xlsx" and isinstance(url, str) and url.startswith(REPORT_PREFIX):
        return url
    return None


class SalesProcessReportController(ReportController):
    def _sales_process_readonly(self):
        return bool(_sales_process_report_url(request.httprequest.values.get("data")))

    @route(readonly=_sales_process_readonly)
    def report_download(self, data, context=None, token=None, readonly=True):
        response = super().report_download(data, context=context, token=token, readonly=readonly)
        url = _sales_process_report_url(data)
        if url and urlsplit(url).path == EXPORT_PATH and response.status_code == 200:
            # the export's file name says its period
            report = request.env["report.sales_process_mgmt.export_xlsx"]
            try:
                # the client sends the action's data, {"options": {...}}, as the URL's options
                data = json.loads(parse_qs(urlsplit(url).query).get("options", ["{}"])[0])
                filename = report._export_filename(report._parse_options(data))
            except (TypeError, ValueError, UserError):
                return response
            response.headers["Content-Disposition"] = content_disposition(filename)
        return response
