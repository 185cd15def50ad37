"""Every benchmark in one command (``make bench``): each runs in its own process and prints
its figures with ``TARGET ... measured / target`` lines; the summary at the end lists every
target and a last line that names the targets missed.

The exit status is 1 when a benchmark failed to run (not when a figure misses its target:
on a shared machine figures vary, and the summary says so plainly).

    .venv/bin/python bench/run_all.py [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RESULTS_ENV, read_results

HERE = Path(__file__).resolve().parent
BENCHES = (
    "bench_telegram_capacity",
    "bench_telegram_latency",
    "bench_scale_out",
    "bench_reminder_fanout",
    "bench_scheduler_scale",
    "bench_import",
    "bench_invite_sheet",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=BENCHES, help="run only these")
    args = parser.parse_args()
    failed: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        results = Path(folder) / "results.jsonl"
        env = {**os.environ, RESULTS_ENV: str(results)}
        for name in args.only or BENCHES:
            print(f"\n=== {name} ===", flush=True)
            started = time.perf_counter()
            code = subprocess.call([sys.executable, str(HERE / f"{name}.py")], env=env)
            print(f"--- {name}: {time.perf_counter() - started:.0f} s", flush=True)
            if code != 0:
                failed.append(f"{name} (exit {code})")
        targets = read_results(results)

    print(f"\n=== summary (load average now {os.getloadavg()[0]:.1f}) ===")
    for target in targets:
        print(target.line())
    missed = [target.name for target in targets if not target.met]
    if failed:
        print(f"benchmarks that failed to run: {', '.join(failed)}")
    if missed:
        print(f"targets missed ({len(missed)} of {len(targets)}): {'; '.join(missed)}")
    else:
        print(f"targets missed: none (all {len(targets)} met)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
