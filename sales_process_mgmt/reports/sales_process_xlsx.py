"""Formatted, streamed Excel workbooks of the sales process (OCA ``report_xlsx``).

Every sheet is a table written row by row in xlsxwriter's constant-memory mode: the rows
come from the database in batches of ids (keyset pagination on the ORM's query, record
rules applied), so that a sheet of 200,000 visits never holds more than one batch.
Only reads: the reports run on Odoo's read-only cursor (see ``controllers/report_xlsx.py``).
"""

import re
from dataclasses import dataclass

import pytz

from odoo import _, models
from odoo.tools import html2plaintext

BATCH_SIZE = 5000
INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
# number formats by column kind
NUM_FORMATS = {
    "integer": "#,##0",
    "float": "#,##0.00",
    "days": "0.0",
    "percent": "0.0%",
    "month": "yyyy-mm",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
HEADER_COLOR = "#875A7B"
FIELD_KINDS = {
    "integer": "integer",
    "float": "float",
    "monetary": "currency",
    "date": "date",
    "datetime": "datetime",
    "boolean": "boolean",
}


@dataclass
class Column:
    """One column of a sheet: a field of the model, or a key of the rows given."""

    name: str
    title: str = None
    kind: str = None
    width: int = 16
    # kind "percent" of a field holding 0-100: divided by 100 for Excel's 0.0 %
    scale: float = 1.0
    # name of a boolean field: the cell stays empty (no data) when it is false
    present: str = None


class SalesProcessXlsx(models.AbstractModel):
    """Styles, tables and sheets shared by the sales process workbooks."""

    _name = "report.sales_process_mgmt.xlsx_base"
    _inherit = "report.report_xlsx.abstract"
    _description = "Sales Process Excel Workbook"

    def get_workbook_options(self):
        # constant memory: each row goes to a temporary file once written
        return {"constant_memory": True, "in_memory": False, "remove_timezone": True}

    def create_xlsx_report(self, docids, data):
        """Render in the user's language (the titles are translated with it)."""
        lang = self.env.context.get("lang") or self.env.user.lang
        return super(SalesProcessXlsx, self.with_context(lang=lang)).create_xlsx_report(docids, data)

    # ------------------------------------------------------------------
    # Styles
    # ------------------------------------------------------------------

    def _styles(self, workbook):
        """The workbook's formats, made once per workbook."""
        styles = getattr(workbook, "_sales_process_styles", None)
        if styles:
            return styles
        company = self.env.company
        styles = {
            "title": workbook.add_format({"bold": True, "font_size": 14, "font_color": HEADER_COLOR}),
            "subtitle": workbook.add_format({"italic": True, "font_color": "#666666"}),
            "header": workbook.add_format(
                {
                    "bold": True,
                    "font_color": "#FFFFFF",
                    "bg_color": HEADER_COLOR,
                    "border": 1,
                    "text_wrap": True,
                    "valign": "vcenter",
                }
            ),
            "no_data": workbook.add_format({"italic": True, "font_color": "#999999"}),
            "text": workbook.add_format({}),
            "boolean": workbook.add_format({"align": "center"}),
            "currency": workbook.add_format({"num_format": self._report_xlsx_currency_format(company.currency_id)}),
            "good": workbook.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"}),
            "fair": workbook.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"}),
            "bad": workbook.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
        }
        for kind, num_format in NUM_FORMATS.items():
            styles[kind] = workbook.add_format({"num_format": num_format})
        workbook._sales_process_styles = styles
        return styles

    # ------------------------------------------------------------------
    # Tables
    # ------------------------------------------------------------------

    def _add_sheet(self, workbook, name, title, subtitle=None):
        """A new sheet with its title (and subtitle) above the table: the table starts on row 3."""
        # Excel refuses []:*?/\ in sheet names and more than 31 characters
        sheet = workbook.add_worksheet(INVALID_SHEET_CHARS.sub(" ", name)[:31])
        styles = self._styles(workbook)
        sheet.write(0, 0, title, styles["title"])
        if subtitle:
            sheet.write(1, 0, subtitle, styles["subtitle"])
        return sheet, 3

    def _prepare_columns(self, model, columns):
        """Fill in the titles (the fields' labels in the user's language) and kinds."""
        for column in columns:
            field = model._fields.get(column.name)
            if field is None:
                continue
            if column.title is None:
                column.title = field._description_string(self.env)
            if column.kind is None:
                column.kind = FIELD_KINDS.get(field.type, "text")
        return columns

    def _write_table(self, workbook, sheet, row, columns, rows, no_data=None, main=True):
        """Header, rows, widths, and for the sheet's ``main`` table frozen panes and autofilter.

        ``rows`` yields one sequence of cell values per row, in the columns' order.
        An empty table writes a clear "no data" line instead. Returns (next free row,
        rows written).
        """
        styles = self._styles(workbook)
        header_row = row
        if main:
            for col, column in enumerate(columns):
                sheet.set_column(col, col, column.width)
            sheet.freeze_panes(header_row + 1, 0)
        sheet.set_row(header_row, 30)
        sheet.write_row(header_row, 0, [column.title for column in columns], styles["header"])
        writers = [self._cell_writer(sheet, column, styles) for column in columns]
        count = 0
        for values in rows:
            row += 1
            count += 1
            for col, value in enumerate(values):
                if value is not None and value is not False:
                    writers[col](row, col, value)
        if not count:
            row += 1
            sheet.write(row, 0, no_data or _("No data for this selection."), styles["no_data"])
        elif main:
            sheet.autofilter(header_row, 0, row, len(columns) - 1)
        return row + 1, count

    @staticmethod
    def _cell_writer(sheet, column, styles):
        """The typed xlsxwriter call of a column's cells (no per-cell type sniffing: large sheets)."""
        style = styles.get(column.kind) or styles["text"]
        if column.kind == "boolean":
            return lambda row, col, value: sheet.write_string(row, col, "✓", style)
        if column.kind in ("integer", "float", "days", "percent", "currency"):
            scale = column.scale
            return lambda row, col, value: sheet.write_number(row, col, value * scale, style)
        if column.kind in ("date", "datetime", "month"):
            return lambda row, col, value: sheet.write_datetime(row, col, value, style)
        return lambda row, col, value: sheet.write_string(
            row, col, value if isinstance(value, str) else str(value), style
        )

    def _conditional_achievement(self, workbook, sheet, first_row, last_row, col, lower_is_good=False):
        """Colour a percentage column: green from 100 %, amber from 60 %, red below (reversed for ratios to a limit)."""
        if last_row < first_row:
            return
        styles = self._styles(workbook)
        good, bad = ("bad", "good") if lower_is_good else ("good", "bad")
        rules = [
            {"type": "cell", "criteria": ">=", "value": 1, "format": styles[good]},
            {"type": "cell", "criteria": "between", "minimum": 0.6, "maximum": 0.99999, "format": styles["fair"]},
            {"type": "cell", "criteria": "<", "value": 0.6, "format": styles[bad]},
        ]
        for rule in rules:
            sheet.conditional_format(first_row, col, last_row, col, rule)

    # ------------------------------------------------------------------
    # Reading
    # ------------------------------------------------------------------

    def _iter_records(self, model, domain, columns, order_domains=None):
        """Yield the cell values of the records matching ``domain`` that the user may read.

        Reads the columns' stored fields with SQL on the ORM's own query (``_search``: record
        rules and companies applied), in batches of ids (keyset pagination), and maps
        many2one ids to display names and selections to labels in the user's language.
        Computed fields that are not stored (e.g. a flag's explanation, written in the
        reader's language) are computed by the ORM for the whole batch, then dropped from
        the cache. ``order_domains``: domains read one after the other (e.g. one per
        severity), each in id order.
        """
        model.check_access("read")
        fnames = [column.name for column in columns]
        # figures without data (``present`` flag false) stay empty cells, never 0
        for column in columns:
            if column.present and column.present not in fnames:
                fnames.append(column.present)
        flags = [(index, fnames.index(column.present)) for index, column in enumerate(columns) if column.present]
        model.check_field_access_rights("read", fnames)
        computed = [fname for fname in fnames if not model._fields[fname].store and not model._fields[fname].related]
        sql_fnames = [fname for fname in fnames if fname not in computed]
        model.flush_model(sql_fnames)
        fields_ = [model._fields[fname] for fname in sql_fnames]
        names = {}
        converters = [self._converter(field, names) for field in fields_]
        for extra in order_domains or [[]]:
            last_id = 0
            while True:
                query = model._search(domain + extra + [("id", ">", last_id)], order="id", limit=BATCH_SIZE)
                selects = [model._field_to_sql(model._table, fname, query) for fname in ["id", *sql_fnames]]
                self.env.cr.execute(query.select(*selects))
                batch = self.env.cr.fetchall()
                if not batch:
                    break
                last_id = batch[-1][0]
                self._fetch_names(fields_, batch, names)
                computed_values = self._compute_batch(model, [values[0] for values in batch], computed)
                for values in batch:
                    by_name = {
                        fname: convert(value)
                        for fname, convert, value in zip(sql_fnames, converters, values[1:], strict=True)
                    }
                    by_name.update(computed_values.get(values[0], {}))
                    cells = [by_name[fname] for fname in fnames]
                    for index, flag in flags:
                        if not cells[flag]:
                            cells[index] = None
                    yield cells[: len(columns)]
                if len(batch) < BATCH_SIZE:
                    break

    def _compute_batch(self, model, ids, fnames):
        """{id: {field: value}} of computed fields for a batch of records, in one compute each."""
        if not fnames:
            return {}
        records = model.browse(ids)
        values = {record.id: {fname: record[fname] or None for fname in fnames} for record in records}
        records.invalidate_recordset(fnames)
        return values

    def _converter(self, field, names):
        """A function turning the column's SQL value into the cell's value."""
        if field.type == "many2one":
            comodel_names = names.setdefault(field.comodel_name, {})
            return lambda value: comodel_names.get(value) if value else None
        if field.type == "selection":
            labels = dict(field._description_selection(self.env))
            return lambda value: labels.get(value, value) if value else None
        if field.type == "datetime":
            tz = pytz.timezone(self.env.user.tz or "UTC")
            return lambda value: pytz.utc.localize(value).astimezone(tz) if value else None
        if field.type == "html":
            return lambda value: html2plaintext(value) if value else None
        return lambda value: value

    def _fetch_names(self, fields_, batch, names):
        """Display names of the many2one values of a batch not named yet, one read per comodel.

        As the ORM's ``read()`` does (``Many2one.convert_to_read``), the names are read as
        the superuser: seeing a record's many2one value is the record's access, not the
        value's.
        """
        for index, field in enumerate(fields_, start=1):
            if field.type != "many2one":
                continue
            comodel_names = names.setdefault(field.comodel_name, {})
            missing = {values[index] for values in batch if values[index] and values[index] not in comodel_names}
            if missing:
                records = self.env[field.comodel_name].sudo().with_context(active_test=False).browse(missing)
                comodel_names.update((record.id, record.display_name) for record in records)
                # computing the names prefetched every column of those records: drop them from
                # the cache, or a sheet of 200,000 visits would keep all its leads in memory
                records.invalidate_recordset()
