# Run by scripts/screenshots.sh through `odoo shell` (env is given): export the demo's
# Sales Process workbook as the demo sales manager (the export wizard's get_workbook), draw
# one of its sheets as Excel shows it (cells with their number formats, styles, conditional
# formats, frozen header, the sheet's native chart drawn from the cells it plots) as an HTML
# page, which scripts/screenshots.sh then screenshots with headless Chromium for the README.
#
# SPM_XLSX_OUT: the HTML file to write; SPM_XLSX_SHEET: the sheet (default: the first);
# SPM_XLSX_LANG: the language of the export (default en_US).
import base64
import html
import io
import os
import re

import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries

from odoo import fields

out = os.environ.get("SPM_XLSX_OUT", "excel_export.html")
lang = os.environ.get("SPM_XLSX_LANG", "en_US")
manager = env.ref("sales_process_mgmt.user_sales_manager_chen_demo")  # noqa: F821
today = fields.Date.context_today(manager)
options = {
    "date_from": fields.Date.to_string(today.replace(day=1, month=1)),
    "date_to": fields.Date.to_string(today),
    "sheets": ["summary", "stage_durations", "funnel", "forecast", "risks", "training", "actions"],
}
Wizard = env["sales.process.export.wizard"].with_user(manager).with_context(lang=lang)  # noqa: F821
result = Wizard.get_workbook(options)
workbook = openpyxl.load_workbook(io.BytesIO(base64.b64decode(result["content"])))
sheet = workbook[os.environ["SPM_XLSX_SHEET"]] if os.environ.get("SPM_XLSX_SHEET") else workbook.worksheets[0]


def display(cell):
    value, number_format = cell.value, cell.number_format or "General"
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime({"yyyy-mm": "%Y-%m", "yyyy-mm-dd hh:mm": "%Y-%m-%d %H:%M"}.get(number_format, "%Y-%m-%d"))
    if isinstance(value, int | float) and not isinstance(value, bool):
        if number_format.endswith("%"):
            return f"{value * 100:.{number_format.count('0') - 1}f}%"
        match = re.match(r"^([^#0]*)#,##0(\.0+)?(.*)$", number_format)
        if match:
            decimals = len(match.group(2) or ".") - 1
            before, after = (part.strip('"') for part in (match.group(1), match.group(3)))
            return f"{before}{value:,.{decimals}f}{after}"
        if re.match(r"^0(\.0+)?$", number_format):
            return f"{value:.{max(len(number_format) - 2, 0)}f}"
        return f"{value:g}"
    return str(value)


def color(value):
    return f"#{value.rgb[-6:]}" if value is not None and isinstance(value.rgb, str) else None


def matches(operator, value, limits):
    try:
        return {
            "greaterThanOrEqual": lambda: value >= limits[0],
            "lessThan": lambda: value < limits[0],
            "between": lambda: limits[0] <= value <= limits[1],
            "equal": lambda: value == limits[0],
        }[operator]()
    except (TypeError, KeyError):
        return False


def conditional_styles():
    """{(row, col): css} of the cells the sheet's conditional formats colour."""
    styles = {}
    for ranges in sheet.conditional_formatting:
        for rule in ranges.rules:
            if rule.type != "cellIs" or rule.dxf is None:
                continue
            css = []
            if rule.dxf.fill is not None and color(rule.dxf.fill.bgColor):
                css.append(f"background:{color(rule.dxf.fill.bgColor)}")
            if rule.dxf.font is not None and color(rule.dxf.font.color):
                css.append(f"color:{color(rule.dxf.font.color)}")
            limits = [float(f) if not f.startswith('"') else f.strip('"') for f in rule.formula]
            for cell_range in str(ranges.sqref).split():
                min_col, min_row, max_col, max_row = range_boundaries(cell_range)
                for row in range(min_row, max_row + 1):
                    for col in range(min_col, max_col + 1):
                        value = sheet.cell(row, col).value
                        if value is None:
                            continue
                        hit = matches(rule.operator, value, limits)
                        if hit and (row, col) not in styles:
                            styles[(row, col)] = ";".join(css)
    return styles


def ref_values(formula):
    sheet_name, cells = formula.rsplit("!", 1)
    target = workbook[sheet_name.strip("'")]
    min_col, min_row, __, max_row = range_boundaries(cells.replace("$", ""))
    return [target.cell(row, min_col).value for row in range(min_row, max_row + 1)]


def chart_svg(chart):
    series = chart.series[0]
    values = [v or 0 for v in ref_values(series.val.numRef.f)]
    categories = ref_values((series.cat.strRef or series.cat.numRef).f)
    try:
        title = "".join(run.t for p in chart.title.tx.rich.p for run in (p.r or []))
    except AttributeError:
        title = ""
    width, height, left, top, bottom = 520, 300, 40, 40, 70
    top_value = max([1.0, *values]) * 1.15
    step = (width - left - 20) / max(len(values), 1)
    bars = []
    for index, (category, value) in enumerate(zip(categories, values, strict=True)):
        bar_height = (height - top - bottom) * value / top_value
        x = left + index * step + step * 0.2
        y = height - bottom - bar_height
        label_x, label_y = x + step * 0.3, height - bottom + 14
        bars.append(
            f'<rect x="{x:.0f}" y="{y:.0f}" width="{step * 0.6:.0f}" height="{bar_height:.0f}" fill="#875A7B"/>'
            f'<text x="{label_x:.0f}" y="{y - 4:.0f}" font-size="11" text-anchor="middle">{value:.0%}</text>'
            f'<text x="{label_x:.0f}" y="{label_y}" font-size="10" text-anchor="end" '
            f'transform="rotate(-25 {label_x:.0f} {label_y})">{html.escape(str(category))[:24]}</text>'
        )

    def level(fraction):
        return height - bottom - (height - top - bottom) * fraction / top_value

    grid = "".join(
        f'<line x1="{left}" x2="{width - 10}" y1="{level(f):.0f}" y2="{level(f):.0f}" stroke="#ddd"/>'
        f'<text x="{left - 4}" y="{level(f) + 4:.0f}" font-size="10" text-anchor="end">{f:.0%}</text>'
        for f in [x / 2 for x in range(int(top_value * 2) + 1)]
    )
    return (
        f'<svg width="{width}" height="{height}" style="background:#fff;border:1px solid #bbb">'
        f'<text x="{width / 2}" y="22" font-size="14" font-weight="bold" text-anchor="middle">'
        f"{html.escape(title)}</text>"
        f"{grid}{''.join(bars)}</svg>"
    )


conditional = conditional_styles()
max_col = min(sheet.max_column, 11)
max_row = min(max([sheet.max_row, *(chart.anchor._from.row + 14 for chart in sheet._charts)]), 60)
widths = {
    get_column_letter(c): (sheet.column_dimensions[get_column_letter(c)].width or 9) for c in range(1, max_col + 1)
}
rows_html = []
for row in range(1, max_row + 1):
    cells = [f'<td class="rh">{row}</td>']
    for col in range(1, max_col + 1):
        cell = sheet.cell(row, col)
        css = []
        if cell.font is not None and cell.font.b:
            css.append("font-weight:bold")
        if cell.font is not None and cell.font.i:
            css.append("font-style:italic")
        if cell.font is not None and color(cell.font.color):
            css.append(f"color:{color(cell.font.color)}")
        if cell.font is not None and cell.font.sz and cell.font.sz > 12:
            css.append(f"font-size:{cell.font.sz + 2}px")
        if cell.fill is not None and cell.fill.fill_type == "solid" and color(cell.fill.fgColor):
            css.append(f"background:{color(cell.fill.fgColor)}")
        if (row, col) in conditional:
            css.append(conditional[(row, col)])
        if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
            css.append("text-align:right")
        cells.append(f'<td id="c{row}_{col}" style="{";".join(css)}">{html.escape(display(cell))}</td>')
    header_row = int(re.sub(r"\D", "", sheet.freeze_panes)) - 1 if sheet.freeze_panes else None
    frozen = ' class="frozen"' if row == header_row else ""
    rows_html.append(f"<tr{frozen}>{''.join(cells)}</tr>")
# each chart is placed on its anchor cell once the page is laid out
charts = "".join(
    f'<div class="chart" data-anchor="c{chart.anchor._from.row + 1}_{chart.anchor._from.col + 1}">'
    f"{chart_svg(chart)}</div>"
    for chart in sheet._charts
)
header = "".join(f'<th style="width:{widths[letter] * 7:.0f}px">{letter}</th>' for letter in widths)
tabs = "".join(
    f'<span class="tab{" active" if ws.title == sheet.title else ""}">{html.escape(ws.title)}</span>'
    for ws in workbook.worksheets
)
page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body {{ margin:0; font-family: Calibri, 'Noto Sans CJK SC', sans-serif; font-size:13px; background:#fff }}
.bar {{ background:#217346; color:#fff; padding:6px 12px; font-size:14px }}
.wrap {{ position:relative; padding:0 }}
table {{ border-collapse:collapse; table-layout:fixed }}
td, th {{ border:1px solid #e1e1e1; padding:0 5px; height:24px; box-sizing:border-box;
          white-space:nowrap; overflow:hidden }}
th, td.rh {{ background:#f3f3f3; color:#555; font-weight:normal; text-align:center; width:34px }}
tr.frozen td {{ border-bottom:2px solid #999 }}
.chart {{ position:absolute }}
.tabs {{ background:#f3f3f3; border-top:1px solid #ccc; padding:4px 8px }}
.tab {{ display:inline-block; padding:3px 12px; margin-right:2px; color:#333 }}
.tab.active {{ background:#fff; border-bottom:2px solid #217346; font-weight:bold; color:#217346 }}
</style></head><body>
<div class="bar">{html.escape(result["filename"])}</div>
<div class="wrap"><table><tr><th></th>{header}</tr>{"".join(rows_html)}</table>{charts}</div>
<div class="tabs">{tabs}</div>
<script>
for (const chart of document.querySelectorAll(".chart")) {{
    const cell = document.getElementById(chart.dataset.anchor);
    if (cell) {{ chart.style.left = cell.offsetLeft + "px"; chart.style.top = cell.offsetTop + "px"; }}
}}
</script></body></html>"""
with open(out, "w", encoding="utf-8") as handle:
    handle.write(page)
print(f"xlsx preview: {out} ({sheet.title} of {result['filename']})")
