"""Kanban moves over HTTP, as a salesperson feels them (issue #10).

Usage (scripts/bench.sh http makes both databases, with demo data):
    python3 bench/http_move.py -c <odoo.conf> --crm-db <db with crm alone> --spm-db <db with the addon>

Starts an Odoo server on 127.0.0.1 (threaded, no cron thread; stops at the end) serving both
databases, and a cron worker for the addon's database (its own process: the mail jobs the
moves trigger run there, after each move's commit, as they do in use; the other crons are
put off), logs in as a salesperson in each (the addon's demo salesperson Zhang Wei; in
the crm database the same user is created: same groups, time zone and notification
preference, member of crm's demo team), and moves one of their opportunities back and
forth between two stages with the JSON-RPC request the kanban view sends when a card is
dropped in another column (``web_save`` with the card's fields and the web client's
context). In the addon's database: Product Presentation <-> Price Negotiation, whose exit
criteria pass (probability above the 30 % of the warn gate; backward moves check
nothing); their Responsible, Accountable, Consulted and Informed rows apply (the Informed
sales managers choose email notifications). In the crm database: crm's demo stages
New <-> Qualified.

``--leader-work`` adds, in the addon's database, a Responsible row "team leader" to both
stages: every move then assigns an activity to Chen Jing (who chose email notifications),
the case of mail's "assigned to you" email. A local SMTP sink (Python's ``smtpd``, on
127.0.0.1) receives what the server sends, so that sending costs what it costs.

The moves of both databases alternate, after a warm-up, so that the machine's drift
weighs on both. Reported: client wall time per request (median, p95) and the ratio, and
the SQL queries per request as the server counts them (Odoo's werkzeug log line carries
the query count of each request: ``... HTTP/1.1" 200 - <queries> <sql time> <other time>``).
"""

import argparse
import re
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import requests

import odoo
from odoo import Command, fields
from odoo.modules.registry import Registry

CARD_FIELDS = {
    "stage_id": {"fields": {"display_name": {}}},
    "probability": {},
    "active": {},
    "company_currency": {"fields": {}},
    "recurring_revenue_monthly": {},
    "team_id": {"fields": {"display_name": {}}},
    "color": {},
    "name": {},
    "expected_revenue": {},
    "partner_id": {"fields": {"display_name": {}}},
    "tag_ids": {"fields": {"display_name": {}, "color": {}}},
    "priority": {},
    "activity_ids": {"fields": {}},
    "activity_exception_decoration": {},
    "activity_exception_icon": {},
    "activity_state": {},
    "activity_summary": {},
    "activity_type_icon": {},
    "activity_type_id": {"fields": {"display_name": {}}},
    "user_id": {"fields": {"display_name": {}}},
}
# what the addon's kanban card adds (badges of the stage standard)
PROCESS_FIELDS = {"stage_state": {}, "days_in_stage": {}, "checklist_progress": {}}
LOGIN = PASSWORD = "zhang.wei"


def prepare(database, with_addon, leader_work=False):
    """Create the moved opportunity (and, without the addon, the salesperson); commit."""
    with Registry(database).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if with_addon:
            user = env.ref("sales_process_mgmt.user_salesperson_zhang_demo")
            stages = [env.ref(f"sales_process_mgmt.stage_{name}_demo") for name in ("presentation", "negotiation")]
            team = env.ref("sales_process_mgmt.crm_team_east_demo")
            if leader_work:
                env["sales.process.responsibility"].create(
                    [{"stage_id": stage.id, "role": "responsible", "assignee_kind": "team_leader"} for stage in stages]
                )
        else:
            user = env["res.users"].search([("login", "=", LOGIN)]) or env["res.users"].create(
                {
                    "name": "Zhang Wei",
                    "login": LOGIN,
                    "password": PASSWORD,
                    "email": "zhang.wei@example.com",
                    "tz": "Asia/Shanghai",
                    "groups_id": [
                        Command.set([env.ref("base.group_user").id, env.ref("sales_team.group_sale_salesman").id])
                    ],
                }
            )
            team = env.ref("sales_team.team_sales_department")
            team.member_ids = [Command.link(user.id)]
            stages = [env.ref("crm.stage_lead1"), env.ref("crm.stage_lead2")]
        # the server runs its cron thread (the addon's mail jobs, mail's queue, when triggered):
        # the other crons are put off, so that only what the moves trigger runs during the bench
        env["ir.cron"].search([]).write({"nextcall": fields.Datetime.now() + timedelta(days=1)})
        env["ir.cron.trigger"].search([]).unlink()
        managers = env.ref("sales_team.group_sale_manager").users
        managers.write({"notification_type": "email"})
        lead = (
            env["crm.lead"]
            .with_user(user)
            .create(
                {
                    "name": "HTTP bench opportunity",
                    "type": "opportunity",
                    "partner_name": "Bench Customer",
                    "email_from": "bench@example.com",
                    "user_id": user.id,
                    "team_id": team.id,
                    "stage_id": stages[0].id,
                    "probability": 50,
                    "expected_revenue": 10000,
                }
            )
        )
        return {
            "lead": lead.id,
            "stages": [stage.id for stage in stages],
            "uid": user.id,
            "company": user.company_id.id,
        }


class Client:
    def __init__(self, url, database, data, fields):
        self.url, self.database, self.data, self.fields = url, database, data, fields
        self.session = requests.Session()
        self.count = 0
        self.times = []
        response = self.session.post(
            f"{url}/web/session/authenticate",
            json={"jsonrpc": "2.0", "params": {"db": database, "login": LOGIN, "password": PASSWORD}},
            timeout=120,
        )
        response.raise_for_status()
        assert response.json().get("result", {}).get("uid") == data["uid"], response.text[:500]

    def move(self, measured=True):
        """One card dropped in the other column: the web client's web_save."""
        self.count += 1
        stage_id = self.data["stages"][self.count % 2]
        payload = {
            "id": self.count,
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": "crm.lead",
                "method": "web_save",
                "args": [[self.data["lead"]], {"stage_id": stage_id}],
                "kwargs": {
                    "context": {
                        "lang": "en_US",
                        "tz": "Asia/Shanghai",
                        "uid": self.data["uid"],
                        "allowed_company_ids": [self.data["company"]],
                        "default_type": "opportunity",
                    },
                    "specification": self.fields,
                },
            },
        }
        start = time.perf_counter()
        response = self.session.post(f"{self.url}/web/dataset/call_kw/crm.lead/web_save", json=payload, timeout=60)
        elapsed = time.perf_counter() - start
        body = response.json()
        if "error" in body:
            raise RuntimeError(f"{self.database}: {body['error'].get('data', {}).get('message')}")
        assert body["result"][0]["stage_id"]["id"] == stage_id
        if measured:
            self.times.append(elapsed)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def queries_per_request(log, database):
    """Query counts of the web_save requests of ``database`` in the server's log."""
    pattern = re.compile(rf" {re.escape(database)} werkzeug: .*web_save HTTP/1\.1\" 200 - (\d+) ([\d.]+) ([\d.]+)")
    return [(int(m[1]), float(m[2]), float(m[3])) for m in map(pattern.search, Path(log).read_text().splitlines()) if m]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("--crm-db", required=True)
    parser.add_argument("--spm-db", required=True)
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--moves", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--log", default="/tmp/spm_http_bench.log")
    parser.add_argument("--leader-work", action="store_true", help="moves also assign work to the team leader")
    parser.add_argument("--smtp-port", type=int, default=2525)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    data = {db: prepare(db, db == args.spm_db, args.leader_work) for db in (args.crm_db, args.spm_db)}
    smtp = subprocess.Popen(  # a sink: accepts and drops every mail
        [
            sys.executable,
            "-W",
            "ignore",
            "-m",
            "smtpd",
            "-n",
            "-c",
            "DebuggingServer",
            f"127.0.0.1:{args.smtp_port}",
        ],
        stdout=subprocess.DEVNULL,
    )
    Path(args.log).write_text("")
    server = subprocess.Popen(
        [
            "odoo",
            "-c",
            args.config,
            "--http-interface=127.0.0.1",
            f"--http-port={args.port}",
            "--workers=0",
            "--max-cron-threads=0",
            f"--db-filter=^({re.escape(args.crm_db)}|{re.escape(args.spm_db)})$",
            "--log-level=info",
            "--smtp=127.0.0.1",
            f"--smtp-port={args.smtp_port}",
            f"--logfile={args.log}",
        ]
    )
    # The cron worker of the addon's database, in its own process as in a multi-process
    # deployment (a threaded server serving two databases stops its cron thread when a
    # request touches the registries while the thread iterates over them).
    cron = subprocess.Popen(
        [
            "odoo",
            "-c",
            args.config,
            f"--database={args.spm_db}",
            "--no-http",
            "--max-cron-threads=1",
            "--log-level=warn",
            "--smtp=127.0.0.1",
            f"--smtp-port={args.smtp_port}",
            f"--logfile={args.log}.cron",
        ]
    )
    url = f"http://127.0.0.1:{args.port}"
    try:
        for __ in range(120):
            try:
                requests.get(f"{url}/web/login", timeout=5)
                break
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or loading registries
                if server.poll() is not None:
                    raise RuntimeError(f"the Odoo server stopped (exit code {server.returncode})") from None
                time.sleep(1)
        clients = {
            args.crm_db: Client(url, args.crm_db, data[args.crm_db], CARD_FIELDS),
            args.spm_db: Client(url, args.spm_db, data[args.spm_db], dict(CARD_FIELDS, **PROCESS_FIELDS)),
        }
        for __ in range(args.warmup):
            for client in clients.values():
                client.move(measured=False)
        for __ in range(args.moves):
            for client in clients.values():
                client.move()
        time.sleep(5)  # the last moves' jobs
    finally:
        server.terminate()
        server.wait(timeout=60)
        cron.terminate()
        cron.wait(timeout=60)
        smtp.terminate()
        smtp.wait(timeout=10)
    with Registry(args.spm_db).cursor() as cr:
        cr.execute("SELECT count(*) FROM sales_process_mail_job WHERE state = 'pending'")
        pending = cr.fetchone()[0]
        cr.execute(
            "SELECT count(*) FROM mail_message WHERE model = 'crm.lead' AND res_id = %s", [data[args.spm_db]["lead"]]
        )
        messages = cr.fetchone()[0]
    print(
        f"BENCH mail jobs left pending after the moves: {pending}; messages on the moved lead: {messages}", flush=True
    )
    figures = {}
    for db, client in clients.items():
        logged = queries_per_request(args.log, db)[args.warmup :]
        figures[db] = {
            "median": statistics.median(client.times) * 1000,
            "p95": percentile(client.times, 0.95) * 1000,
            "queries": statistics.median(q for q, __, __ in logged) if logged else float("nan"),
            "queries_max": max((q for q, __, __ in logged), default=float("nan")),
            "sql_ms": statistics.median(s for __, s, __ in logged) * 1000 if logged else float("nan"),
        }
    crm, spm = figures[args.crm_db], figures[args.spm_db]
    for label, db in (("crm alone", args.crm_db), ("sales_process_mgmt", args.spm_db)):
        fig = figures[db]
        print(
            f"BENCH kanban move over HTTP, {label} ({db}): median {fig['median']:.1f} ms, p95 {fig['p95']:.1f} ms, "
            f"SQL queries per move {fig['queries']:.0f} (max {fig['queries_max']}), SQL time {fig['sql_ms']:.1f} ms",
            flush=True,
        )
    ratio = spm["median"] / crm["median"]
    print(
        f"BENCH kanban move over HTTP ({args.moves} moves): median ratio {ratio:.2f}x "
        f"(goal <= 1.5x: {'met' if ratio <= 1.5 else 'NOT met'}), p95 ratio {spm['p95'] / crm['p95']:.2f}x, "
        f"queries {spm['queries']:.0f} vs {crm['queries']:.0f}",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
