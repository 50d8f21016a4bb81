"""Benchmark driver: run the bench_*.py modules of this folder against a database.

Usage (see scripts/bench.sh, which makes the throw-away database):
    python3 bench/run.py -c <odoo.conf> -d <database> [name ...]

Each ``bench_<topic>.py`` exposes ``run(env, bench)``: it generates its data at scale
in the database, then calls ``bench.compare(...)`` for each measured operation next
to its baseline. Benchmarks report figures; they assert only that both sides agree.
"""

import argparse
import importlib
import statistics
import sys
import time
from pathlib import Path

import odoo
from odoo.modules.registry import Registry


class Bench:
    """Times a measured operation next to its baseline, in the same run."""

    def __init__(self, env):
        self.env = env
        self.rows = []

    def timed(self, fn, setup=None, teardown=None):
        """Wall time of one run of ``fn`` (setup and teardown not counted) and its result."""
        if setup:
            setup()
        self.env.invalidate_all()
        start = time.perf_counter()
        result = fn()
        self.env.flush_all()
        elapsed = time.perf_counter() - start
        if teardown:
            teardown()
        return elapsed, result

    def compare(
        self, name, baseline, measured, repeat=3, setup=None, teardown=None, goal=None, same=None, median=False
    ):
        """Run both callables, check they agree, print both best times and the ratio.

        The runs alternate (baseline, measured, baseline, ...) so that a drift of the
        machine or of the database (autovacuum after a commit) weighs on both sides.
        ``same(baseline_result, measured_result)`` decides agreement (default: ==;
        results of None are not compared). ``goal`` is the ratio the issue asks for.
        ``setup``/``teardown`` run around every call, outside the timing. ``median``: compare
        the medians of the runs (steadier on a shared machine for runs of a few milliseconds).
        """
        times = {"baseline": [], "measured": []}
        for _ in range(repeat):
            elapsed, r_base = self.timed(baseline, setup, teardown)
            times["baseline"].append(elapsed)
            elapsed, r_meas = self.timed(measured, setup, teardown)
            times["measured"].append(elapsed)
        pick = statistics.median if median else min
        t_base, t_meas = pick(times["baseline"]), pick(times["measured"])
        if r_base is not None or r_meas is not None:
            agree = same(r_base, r_meas) if same else r_base == r_meas
            if not agree:
                raise AssertionError(f"{name}: baseline and measured results differ")
        ratio = t_meas / t_base if t_base else float("inf")
        verdict = "" if goal is None else (f"  goal <= {goal}x: " + ("met" if ratio <= goal else "NOT met"))
        digits = 4 if median else 3
        line = (
            f"BENCH {name}: baseline {t_base:.{digits}f}s, measured {t_meas:.{digits}f}s, ratio {ratio:.2f}x{verdict}"
        )
        if median:
            best = f"best {min(times['baseline']):.4f}s vs {min(times['measured']):.4f}s"
            line = line.replace(", ratio", f" (medians of {repeat}; {best}), ratio", 1)
        self.rows.append(line)
        print(line, flush=True)
        return ratio

    def create_users(self, prefix, count, group="sales_team.group_sale_salesman"):
        """``count`` internal users of the current company in ``group``, logins ``<prefix>_<i>``."""
        env = self.env
        company = env.company
        return (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                [
                    {
                        "name": f"Bench {prefix} {i}",
                        "login": f"{prefix}_{i}",
                        "company_id": company.id,
                        "company_ids": [(6, 0, company.ids)],
                        "groups_id": [(6, 0, [env.ref(group).id])],
                    }
                    for i in range(count)
                ]
            )
        )

    def report(self, name, text):
        """Print a figure that is not a time ratio (e.g. query counts)."""
        line = f"BENCH {name}: {text}"
        self.rows.append(line)
        print(line, flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("names", nargs="*", help="bench_<name>.py modules to run (default: all)")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    folder = Path(__file__).resolve().parent
    sys.path.insert(0, str(folder))
    names = args.names or sorted(p.stem[len("bench_") :] for p in folder.glob("bench_*.py"))
    registry = Registry(args.database)
    for name in names:
        module = importlib.import_module(f"bench_{name}")
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
            print(f"== bench_{name}", flush=True)
            module.run(env, Bench(env))
            cr.rollback()


if __name__ == "__main__":
    main()
