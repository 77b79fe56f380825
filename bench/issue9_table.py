"""Issue 9's benchmark table in one command: four runs of bench/load_scans.py, one table.

    .venv/bin/python bench/issue9_table.py                 # about 6 minutes on 2 cores
    .venv/bin/python bench/issue9_table.py --quick         # shorter windows, for a smoke run
    .venv/bin/python bench/issue9_table.py --database-url postgres://…/db --redis-url redis://…/9

Each run is a fresh load_scans.py process (its own uvicorn, data wiped and rebuilt) with every
station's list socket open and --floors supervisor floor screens (default 5), followed by its
raw-psycopg phase (the same SQL, the reference of the same run):

  A  1 station, lists of 100 orders (a station that finishes one claims the next), closed loop
  B  1 station, one list of 5,000 orders, closed loop
  C  100 stations, one scan per second each (100 scans/s offered)
  D  100 stations, closed loop

and prints the issue's table (markdown) with the conditions (load average, what else the
machine did), then writes every figure to --out (JSON). Not a test: figures vary with the
machine; compare rows of the same run.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DB = os.environ.get("BENCH_DATABASE_URL",
                            "postgres://postgres@127.0.0.1:5432/packer_bench")
DEFAULT_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")

CASES = {
    "A": ["--stations", "1", "--orders", "100", "--lists", "12"],
    "B": ["--stations", "1", "--orders", "5000"],
    "C": ["--stations", "100", "--interval", "1"],
    "D": ["--stations", "100"],
}
TARGETS = {
    "ratio": "≤ 1.2×", "pg": "≤ 2 ms", "p99": "≤ 50 ms", "closed": "≥ 350 scans/s, ≥ 0.4",
    "cpu": "≤ 4 ms",
}
BEFORE = {
    "ratio": "about 1.8×", "pg": "1.7–9.2 ms", "p99": "67 ms, measured without sockets",
    "closed": "176 scans/s, 0.20", "cpu": "5.7–8.2 ms",
}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=DEFAULT_DB)
    p.add_argument("--redis-url", default=DEFAULT_REDIS)
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--floors", type=int, default=5)
    p.add_argument("--duration", type=float, default=20)
    p.add_argument("--quick", action="store_true", help="8 s windows (a smoke run)")
    p.add_argument("--only", default="ABCD", help="run only these cases, e.g. --only CD")
    p.add_argument("--out", default="", help="JSON file for every figure (default: a temp file)")
    p.add_argument("extra", nargs="*", help="more load_scans.py options for every run "
                                            "(after --), e.g. -- --server-env X=1")
    return p.parse_args()


def run_case(name, args, out_dir):
    out = out_dir / f"{name}.json"
    duration = "8" if args.quick else str(args.duration)
    cmd = [sys.executable, str(HERE / "load_scans.py"), *CASES[name],
           "--floors", str(args.floors), "--duration", duration,
           "--database-url", args.database_url, "--redis-url", args.redis_url,
           "--port", str(args.port), "--json", str(out), *args.extra]
    print(f"== case {name}: {' '.join(cmd[2:])}", flush=True)
    subprocess.run(cmd, check=True)
    return json.loads(out.read_text())


def phases(result):
    api, raw = result["phases"]
    return api, raw


def ms(value):
    return "—" if value is None else f"{value:.1f} ms" if value >= 10 else f"{value:.2f} ms"


def table(results):
    rows = []
    if "A" in results and "B" in results:
        (a, a_raw), (b, b_raw) = phases(results["A"]), phases(results["B"])
        rows.append(("1 station, p50 at 5,000 orders vs 100 orders", "ratio",
                     f"{b['p50'] / a['p50']:.2f}× ({b['p50']:.1f} vs {a['p50']:.1f} ms)",
                     f"{b_raw['p50'] / a_raw['p50']:.2f}× ({b_raw['p50']:.1f} vs "
                     f"{a_raw['p50']:.1f} ms)"))
        rows.append(("PostgreSQL CPU per scan, any list size", "pg",
                     f"{ms(a['cpu_ms_per_request']['postgres'])} at 100, "
                     f"{ms(b['cpu_ms_per_request']['postgres'])} at 5,000 orders",
                     f"{ms(a_raw['cpu_ms_per_request']['postgres'])} / "
                     f"{ms(b_raw['cpu_ms_per_request']['postgres'])}"))
    if "C" in results:
        c, c_raw = phases(results["C"])
        rows.append(("100 stations at one scan per second, with sockets and "
                     f"{results['C']['args']['floors']} floor screens: p99", "p99",
                     f"{c['p99']:.1f} ms (p50 {c['p50']:.1f}, p95 {c['p95']:.1f}; "
                     f"{c['per_s']:.0f} scans/s)",
                     f"{c_raw['p99']:.1f} ms (p50 {c_raw['p50']:.1f})"))
    if "D" in results:
        d, d_raw = phases(results["D"])
        rows.append(("100 stations, closed loop: scans/s, and API / raw", "closed",
                     f"{d['per_s']:.0f} scans/s, {d['per_s'] / d_raw['per_s']:.2f}",
                     f"{d_raw['per_s']:.0f} scans/s"))
    cpu = [(name, phases(results[name])[0]["cpu_ms_per_request"]["uvicorn"])
           for name in "ABCD" if name in results]
    if cpu:
        rows.append(("server CPU per scan", "cpu",
                     ", ".join(f"{ms(v)} ({name})" for name, v in cpu), "—"))
    print()
    print("| case | before (issue) | target | measured | raw psycopg, same run |")
    print("|---|---|---|---|---|")
    for title, key, measured, raw in rows:
        print(f"| {title} | {BEFORE[key]} | {TARGETS[key]} | {measured} | {raw} |")
    print()
    print("| run | API scans/s | p50 / p95 / p99 ms | errors | socket messages/s | cores: "
          "uvicorn, postgres, redis, load generator, other | load average |")
    print("|---|---|---|---|---|---|---|")
    for name, result in results.items():
        api, _raw = phases(result)
        cores = api["cores"]
        sockets = ", ".join(f"{k} {v:.0f}" for k, v in sorted(api["sockets_per_s"].items()))
        opened = ", ".join(f"{v} {k}" for k, v in sorted(api.get("sockets_open", {}).items()))
        sockets = f"{sockets or 'none'} (open: {opened or 'none'})"
        print(f"| {name} | {api['per_s']:.0f} | {api['p50']:.1f} / {api['p95']:.1f} / "
              f"{api['p99']:.1f} | {api['errors']} | {sockets} | "
              f"{cores['uvicorn']:.2f}, {cores['postgres']:.2f}, {cores['redis']:.2f}, "
              f"{cores['load generator']:.2f}, {cores['other']:.2f} | "
              f"{api['load'][0]:.2f} → {api['load'][1]:.2f} |")


def main():
    args = parse_args()
    out_dir = Path(tempfile.mkdtemp(prefix="issue9-"))
    print(f"load average before: {os.getloadavg()[0]:.2f}; cpus {os.cpu_count()}")
    results = {name: run_case(name, args, out_dir) for name in args.only if name in CASES}
    table(results)
    out = Path(args.out) if args.out else out_dir / "issue9.json"
    out.write_text(json.dumps(results, indent=1))
    print(f"\nEvery figure: {out}")


if __name__ == "__main__":
    main()
