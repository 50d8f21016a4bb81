#!/usr/bin/env python3
"""Write the Sales Process dashboard (Odoo 18 spreadsheet JSON) from the block list below.

The dashboard is data of the addon (data/files/sales_process_dashboard.json, loaded by
data/spreadsheet_dashboard_data.xml); edit the blocks here and run this script rather
than editing the JSON. Odoo's .pot export takes the titles, chart titles and filter labels
from the JSON (its spreadsheet extractor); pivot headers are the fields' own labels.
bench/bench_dashboard.py replays the pivots' requests from the JSON.
"""

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "sales_process_mgmt/data/files/sales_process_dashboard.json"
TEAM_FILTER = "5e1e5f2c-6a3d-4e07-9a51-1f0c2b7d5a01"
USER_FILTER = "5e1e5f2c-6a3d-4e07-9a51-1f0c2b7d5a02"
MAX_ROWS = 10  # rows of a block's pivot (the first ones; the title link opens them all)
BLOCK_ROWS = MAX_ROWS + 6

# (title, model, domain, row field, measures, team field, salesperson field, views, total row)
BLOCKS = [
    (
        "Funnel: Open Opportunities by Stage",
        "crm.lead",
        [["type", "=", "opportunity"], ["stage_id.is_won", "=", False]],
        "stage_id",
        ["__count", "expected_revenue"],
        "team_id",
        "user_id",
        ["list", "pivot", "graph"],
        True,
    ),
    (
        "KPI Figures vs Target",
        "sales.process.evaluation.line",
        [["evaluation_id.state", "in", ["computed", "done"]]],
        "kpi_id",
        ["target", "actual", "achievement"],
        "team_id",
        "user_id",
        ["pivot", "graph", "list"],
        False,
    ),
    (
        "Time in Stage vs Standard",
        "sales.process.stage.history",
        [["is_open", "=", False]],
        "stage_id",
        ["duration_days", "visit_count"],
        "team_id",
        "user_id",
        ["pivot", "graph", "list"],
        True,
    ),
    (
        "Process Forecast by Team",
        "sales.process.forecast",
        [],
        "team_id",
        ["expected_revenue", "odoo_weighted_revenue", "process_weighted_revenue"],
        "team_id",
        "user_id",
        ["pivot", "graph", "list"],
        True,
    ),
    (
        "Open Risks by Severity",
        "sales.process.risk.flag",
        [["is_active", "=", True]],
        "severity",
        ["__count"],
        "team_id",
        "user_id",
        ["list", "pivot", "graph"],
        True,
    ),
    (
        "Training Compliance by Team",
        "sales.process.training.matrix",
        [],
        "team_id",
        ["compliance", "compliant_count", "__count"],
        "team_id",
        "user_id",
        ["pivot", "list"],
        True,
    ),
]


def view_link(title, model, domain, views, group_by):
    """A markdown link cell opening the records of a block (odoo://view/...)."""
    action = {
        "viewType": views[0],
        "action": {
            "domain": domain,
            "context": {"group_by": [group_by] if views[0] != "list" else []},
            "modelName": model,
            "views": [[False, view] for view in views] + [[False, "search"]],
        },
        "threshold": 0,
        "name": title,
    }
    return f"[{title}](odoo://view/{json.dumps(action, separators=(',', ':'))})"


def matching(team_field, user_field):
    return {
        TEAM_FILTER: {"chain": team_field, "type": "many2one"},
        USER_FILTER: {"chain": user_field, "type": "many2one"},
    }


def build():
    cells, styles, rows, pivots, figures = {}, {}, {}, {}, []
    for index, (title, model, domain, row_field, measures, team, user, views, total) in enumerate(BLOCKS, start=1):
        top = 1 + (index - 1) * BLOCK_ROWS  # 1-based row of the title
        cells[f"A{top}"] = {"content": view_link(title, model, domain, views, row_field)}
        styles[f"A{top}"] = 1
        rows[str(top - 1)] = {"size": 40}
        # the whole pivot spilled from one cell (KPIs of mixed units: no total row); its values
        # drill down to their records
        cells[f"A{top + 1}"] = {"content": f"=PIVOT({index},{MAX_ROWS},{'TRUE' if total else 'FALSE'})"}
        pivots[str(index)] = {
            "type": "ODOO",
            "id": str(index),
            "formulaId": str(index),
            "name": title,
            "model": model,
            "domain": domain,
            "context": {},
            "columns": [],
            "rows": [{"fieldName": row_field}],
            "measures": [{"id": measure, "fieldName": measure} for measure in measures],
            "fieldMatching": matching(team, user),
        }
    funnel, risks = 0, 4
    figures.append(
        {
            "id": "2f6c7c1e-0b7e-4a55-9d0e-5a1a3c0e0001",
            "x": 600,
            "y": 40,
            "width": 400,
            "height": 300,
            "tag": "chart",
            "data": {
                "title": {"text": "Open Opportunities by Stage"},
                "background": "#FFFFFF",
                "legendPosition": "none",
                "metaData": {
                    "groupBy": ["stage_id"],
                    "measure": "__count",
                    "order": None,
                    "resModel": "crm.lead",
                    "mode": "bar",
                },
                "searchParams": {
                    "comparison": None,
                    "context": {},
                    "domain": BLOCKS[funnel][2],
                    "groupBy": ["stage_id"],
                    "orderBy": [],
                },
                "type": "odoo_bar",
                "verticalAxisPosition": "left",
                "stacked": False,
                "fieldMatching": matching("team_id", "user_id"),
            },
        }
    )
    figures.append(
        {
            "id": "2f6c7c1e-0b7e-4a55-9d0e-5a1a3c0e0002",
            "x": 600,
            "y": 40 + 17 + risks * (BLOCK_ROWS * 23 + 17),
            "width": 400,
            "height": 300,
            "tag": "chart",
            "data": {
                "title": {"text": "Open Risks by Severity"},
                "background": "#FFFFFF",
                "legendPosition": "right",
                "metaData": {
                    "groupBy": ["severity"],
                    "measure": "__count",
                    "order": None,
                    "resModel": "sales.process.risk.flag",
                    "mode": "pie",
                },
                "searchParams": {
                    "comparison": None,
                    "context": {},
                    "domain": BLOCKS[risks][2],
                    "groupBy": ["severity"],
                    "orderBy": [],
                },
                "type": "odoo_pie",
                "fieldMatching": matching("team_id", "user_id"),
            },
        }
    )
    # the stages' time standards next to the time in stage
    standards_top = 1 + 2 * BLOCK_ROWS
    cells[f"F{standards_top}"] = {
        "content": view_link("Stage Standards", "crm.stage", [["has_time_limit", "=", True]], ["list", "form"], "name")
    }
    styles[f"F{standards_top}"] = 1
    cells[f"F{standards_top + 1}"] = {"content": '=_t("Stage")'}
    cells[f"G{standards_top + 1}"] = {"content": '=_t("Maximum Days")'}
    styles[f"F{standards_top + 1}:G{standards_top + 1}"] = 2
    for i in range(1, MAX_ROWS + 1):
        cells[f"F{standards_top + 1 + i}"] = {"content": f'=ODOO.LIST(1,{i},"name")'}
        cells[f"G{standards_top + 1 + i}"] = {"content": f'=ODOO.LIST(1,{i},"max_days")'}
    return {
        "version": 21,
        "odooVersion": 12,
        "sheets": [
            {
                "id": "sales_process_dashboard",
                "name": "Dashboard",
                "colNumber": 8,
                "rowNumber": len(BLOCKS) * BLOCK_ROWS + 2,
                "rows": rows,
                "cols": {
                    "0": {"size": 240},
                    "1": {"size": 110},
                    "2": {"size": 110},
                    "3": {"size": 110},
                    "4": {"size": 30},
                    "5": {"size": 200},
                    "6": {"size": 110},
                    "7": {"size": 30},
                },
                "merges": [],
                "cells": cells,
                "styles": styles,
                "formats": {},
                "borders": {},
                "conditionalFormats": [],
                "figures": figures,
                "tables": [],
                "areGridLinesVisible": False,
                "isVisible": True,
                "headerGroups": {"ROW": [], "COL": []},
                "dataValidationRules": [],
                "comments": {},
            }
        ],
        "styles": {
            "1": {"textColor": "#01666b", "bold": True, "fontSize": 16},
            "2": {"bold": True, "fontSize": 11, "textColor": "#434343"},
        },
        "formats": {},
        "borders": {},
        "revisionId": "START_REVISION",
        "uniqueFigureIds": True,
        "settings": {},
        "pivots": pivots,
        "pivotNextId": len(BLOCKS) + 1,
        "customTableStyles": {},
        "globalFilters": [
            {
                "id": TEAM_FILTER,
                "type": "relation",
                "label": "Sales Team",
                "modelName": "crm.team",
                "defaultValue": [],
                "defaultValueDisplayNames": [],
                "rangeType": "year",
            },
            {
                "id": USER_FILTER,
                "type": "relation",
                "label": "Salesperson",
                "modelName": "res.users",
                "defaultValue": [],
                "defaultValueDisplayNames": [],
                "rangeType": "year",
            },
        ],
        "lists": {
            "1": {
                "id": "1",
                "name": "Stage Standards",
                "model": "crm.stage",
                "columns": ["name", "max_days"],
                "domain": [["has_time_limit", "=", True]],
                "context": {},
                "orderBy": [{"name": "sequence", "asc": True}],
                "fieldMatching": {},
            }
        },
        "listNextId": 2,
        "chartOdooMenusReferences": {},
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n")
    print(OUT)
