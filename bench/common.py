"""What every benchmark shares: one ``measured/target`` line per figure (also appended to
the results file that ``bench/run_all.py`` collects), a scratch PostgreSQL database, and the
CPU time of a process read from /proc."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS_ENV = "DONDOC_BENCH_RESULTS"
"""A file each benchmark appends its targets to, one JSON object a line (set by run_all)."""
PG_ADMIN_URL = os.environ.get(
    "DONDOC_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


@dataclass(frozen=True)
class Target:
    """One figure against its target: ``measured >= limit`` (``at_least``) or ``< limit``."""

    bench: str
    name: str
    measured: float
    limit: float
    unit: str = ""
    at_least: bool = True

    @property
    def met(self) -> bool:
        return self.measured >= self.limit if self.at_least else self.measured < self.limit

    def line(self) -> str:
        sign = ">=" if self.at_least else "<"
        verdict = "met" if self.met else "MISSED"
        return (
            f"TARGET {self.name}: measured {_figure(self.measured)}{self.unit} / "
            f"target {sign} {self.limit:g}{self.unit}: {verdict}"
        )


def _figure(value: float) -> str:
    """Three significant digits, without an exponent for large values."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def check(
    bench: str, name: str, measured: float, limit: float, *, unit: str = "", at_least: bool = True
) -> Target:
    """Print the figure's measured/target line and record it for ``run_all``."""
    target = Target(bench, name, measured, limit, unit, at_least)
    print(target.line(), flush=True)
    results = os.environ.get(RESULTS_ENV)
    if results:
        with Path(results).open("a", encoding="utf-8") as file:
            file.write(json.dumps(asdict(target)) + "\n")
    return target


def read_results(path: Path) -> list[Target]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Target(**json.loads(line)) for line in lines if line.strip()]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 when it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the command name: state is field 3, utime 14 and stime 15 (1-based, man proc).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def scratch_postgres(label: str) -> tuple[str, Callable[[], Awaitable[None]]] | None:
    """A new empty database for one run: (its URL, a coroutine that drops it); None with a
    printed note when PostgreSQL is not reachable."""
    import asyncpg

    admin = PG_ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://")
    name = f"dondoc_bench_{label}_{uuid.uuid4().hex[:8]}"
    try:
        conn = await asyncpg.connect(admin, timeout=3)
    except Exception as exc:
        print(f"PostgreSQL skipped: not reachable ({exc})")
        return None
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()

    async def drop() -> None:
        conn = await asyncpg.connect(admin, timeout=3)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}", drop
