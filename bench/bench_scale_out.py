"""Scale-out on PostgreSQL: reports/s of 1, 2 and 3 Dondoc instances behind a load balancer.

Each instance is its own process running ``dondoc run --webhook-url ...`` (Telegram channel
in webhook mode, web server, scheduler) on its own port, all on one scratch PostgreSQL
database. This process is Telegram and the load balancer: it runs the fake Bot API
(tests/fakes/telegram_api.py, which answers the instances' setWebhook and sendMessage) and
POSTs the reports' updates to the instances' webhook endpoints in turn, at most
``--in-flight`` at once (Telegram's default ``max_connections`` is 40), each chat's updates
one after another as Telegram does. A webhook answers 200 once the report is committed and
its reply sent, so the run ends when every POST has been answered.

Checked from the database after each run: every report stored exactly once. Printed: the
reports/s for each number of instances and the ratios, and where the time went (CPU seconds
of the instance processes, of the PostgreSQL backends serving the bench database, and of
this load generator), so that on a machine with more cores than this one the ratio can be
read as a scaling figure. Targets: 2 instances >= 1.4x one, 3 instances >= 2.

    .venv/bin/python bench/bench_scale_out.py [--reports 1500] [--officials 300]
        [--instances 1 2 3] [--in-flight 40]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import logging
import os
import signal
import socket
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import aiohttp
from common import check, cpu_seconds, scratch_postgres
from sqlalchemy import func, select, text, update

from bot.channels.telegram.webhook import WEBHOOK_PATH, webhook_secret
from bot.clock import SystemClock
from bot.context import AppContext
from bot.db import Database
from bot.models import Report, Task
from config import Settings
from tests.channels.telegram.harness import seed_reporters
from tests.fakes.telegram_api import FakeTelegramServer

ROOT = Path(__file__).resolve().parent.parent
BENCH = "scale_out"
FIRST_USER = 800_000
PUBLIC_URL = "https://dondoc.example"
TARGET_TWO = 1.4
"""2 instances / 1 instance on this 2-core machine."""
TARGET_THREE = 1.0
"""3 instances / 2 instances: never fewer with more instances."""
START_TIMEOUT = 60.0


@dataclass
class Run:
    instances: int
    reports: int
    seconds: float
    stored: int
    stored_once: bool
    instance_cpu: float
    postgres_cpu: float
    loadgen_cpu: float

    @property
    def rate(self) -> float:
        return self.reports / self.seconds

    @property
    def cores_used(self) -> float:
        """Cores the bench's processes kept busy on average: on a machine shared with other
        work, fewer than it has means the others took the rest."""
        return (self.instance_cpu + self.postgres_cpu + self.loadgen_cpu) / self.seconds


def report_update(n: int, officials: int) -> tuple[int, dict[str, Any]]:
    """The n-th report as a Telegram update: (user id, update)."""
    who, round_ = n % officials, n // officials
    user = FIRST_USER + who
    return user, {
        "update_id": n + 1,
        "message": {
            "message_id": n + 1,
            "date": int(time.time()),
            "chat": {"id": user, "type": "private", "first_name": "Cán bộ"},
            "from": {"id": user, "is_bot": False, "first_name": "Cán bộ", "language_code": "vi"},
            "text": f"/baocao T-{who:03d} {min(99, round_ + 1)} Báo cáo lần {round_ + 1}",
        },
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def prepare(url: str, officials: int) -> None:
    """Schema and reporters; deadlines well ahead, so the instances' planners (on the real
    clock) find no reminder to send during the run."""
    ctx = AppContext(settings=Settings(database_url=url), db=Database(url), clock=SystemClock())
    await ctx.db.create_all()
    await seed_reporters(ctx, officials, first_user=FIRST_USER)
    async with ctx.db.session() as session:
        await session.execute(update(Task).values(deadline=ctx.today() + dt.timedelta(days=90)))
    await ctx.db.dispose()


class Instance:
    """One ``dondoc run`` process in webhook mode."""

    def __init__(self, url: str, server: FakeTelegramServer, folder: str) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "DONDOC_DATABASE_URL": url,
            "DONDOC_TELEGRAM_TOKEN": server.token,
            "DONDOC_TELEGRAM_API_URL": f"{server.url}/bot",
            "DONDOC_TELEGRAM_RATE_LIMITER": "false",
            "PYTHONPATH": str(ROOT),
        }
        self.folder = folder
        self.process: asyncio.subprocess.Process | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}{WEBHOOK_PATH}"

    async def start(self, client: aiohttp.ClientSession) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from bot.cli import main; main()",
            "run",
            "--webhook-url",
            PUBLIC_URL,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            env=self.env,
            cwd=self.folder,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.returncode is not None:
                errors = await self.process.stderr.read() if self.process.stderr else b""
                raise SystemExit(f"instance failed to start:\n{errors.decode()[-2000:]}")
            with contextlib.suppress(aiohttp.ClientError):
                async with client.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                    if response.status == 200 and "telegram" in await response.text():
                        return
            await asyncio.sleep(0.2)
        raise SystemExit("instance did not start in time")

    @property
    def cpu(self) -> float:
        return cpu_seconds(self.process.pid) if self.process else 0.0

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.communicate(), 20)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


async def backend_cpu(db: Database) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend connected to the bench database."""
    async with db.engine.connect() as conn:
        pids = await conn.scalars(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        )
        return {pid: cpu_seconds(pid) for pid in pids}


async def deliver_all(
    client: aiohttp.ClientSession,
    instances: list[Instance],
    updates: list[tuple[int, dict[str, Any]]],
    secret: str,
    in_flight: int,
) -> None:
    """POST every update to the instances in turn (round robin, like a load balancer),
    each chat's updates in order, at most ``in_flight`` at once; retry on a non-200 like
    Telegram does."""
    slots = asyncio.Semaphore(in_flight)
    targets = itertools.cycle(instances)
    previous: dict[int, asyncio.Task[None]] = {}
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret}

    async def post(after: asyncio.Task[None] | None, body: dict[str, Any]) -> None:
        if after is not None:
            await after
        async with slots:
            for _attempt in range(5):
                target = next(targets)
                async with client.post(target.endpoint, json=body, headers=headers) as response:
                    await response.read()
                    if response.status == 200:
                        return
            raise SystemExit(f"update {body['update_id']} refused five times")

    tasks = []
    for user, body in updates:
        task = asyncio.create_task(post(previous.get(user), body))
        previous[user] = task
        tasks.append(task)
    await asyncio.gather(*tasks)


async def run(instances_count: int, reports: int, officials: int, in_flight: int) -> Run | None:
    scratch = await scratch_postgres(f"scale{instances_count}")
    if scratch is None:
        return None
    url, drop = scratch
    instances: list[Instance] = []
    try:
        await prepare(url, officials)
        db = Database(url)
        async with FakeTelegramServer() as server, aiohttp.ClientSession() as client:
            with tempfile.TemporaryDirectory() as folder:
                instances = [Instance(url, server, folder) for _ in range(instances_count)]
                await asyncio.gather(*(instance.start(client) for instance in instances))
                secret = webhook_secret(server.token, None)
                updates = [report_update(n, officials) for n in range(reports)]
                warm_up = updates[: officials // 2]
                await deliver_all(client, instances, warm_up, secret, in_flight)
                measured = updates[len(warm_up) :]

                instance_cpu = sum(instance.cpu for instance in instances)
                postgres_before = await backend_cpu(db)
                loadgen_cpu = time.process_time()
                started = time.perf_counter()
                await deliver_all(client, instances, measured, secret, in_flight)
                seconds = time.perf_counter() - started
                loadgen_cpu = time.process_time() - loadgen_cpu
                postgres_after = await backend_cpu(db)
                instance_cpu = sum(instance.cpu for instance in instances) - instance_cpu
                await asyncio.gather(*(instance.stop() for instance in instances))
        postgres_cpu = sum(
            seconds_now - postgres_before.get(pid, 0.0)
            for pid, seconds_now in postgres_after.items()
        )
        async with db.session() as session:
            stored = int(await session.scalar(select(func.count()).select_from(Report)) or 0)
            distinct = int(
                await session.scalar(select(func.count(func.distinct(Report.source_message_id))))
                or 0
            )
        await db.dispose()
    finally:
        await asyncio.gather(*(instance.stop() for instance in instances))
        await drop()
    return Run(
        instances=instances_count,
        reports=len(measured),
        seconds=seconds,
        stored=stored,
        stored_once=stored == distinct == reports,
        instance_cpu=instance_cpu,
        postgres_cpu=postgres_cpu,
        loadgen_cpu=loadgen_cpu,
    )


def describe(result: Run, first: Run) -> str:
    per = 1000 / result.reports
    return (
        f"{result.instances:>9}  {result.rate:9.1f}  {result.rate / first.rate:5.2f}x  "
        f"{result.stored:>6} {'once' if result.stored_once else 'NOT ONCE':<8}  "
        f"{result.instance_cpu * per:8.2f}  {result.postgres_cpu * per:8.2f}  "
        f"{result.loadgen_cpu * per:8.2f}  {result.cores_used:5.2f}  {result.seconds:6.1f}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=1500)
    parser.add_argument("--officials", type=int, default=300)
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--in-flight", type=int, default=40)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    print(
        f"{args.reports} reports from {args.officials} officials through webhooks, "
        f"{args.in_flight} in flight, PostgreSQL; {os.cpu_count()} CPU cores "
        f"(load average {os.getloadavg()[0]:.1f} at the start)"
    )
    results: dict[int, Run] = {}
    for count in args.instances:
        result = await run(count, args.reports, args.officials, args.in_flight)
        if result is None:
            return
        results[count] = result
        if not result.stored_once:
            raise SystemExit(
                f"{count} instances: {result.stored} reports stored, not each of "
                f"{args.reports} exactly once"
            )
    first = results[min(results)]
    print(
        "instances  reports/s  ratio  stored           CPU ms per report:          cores  wall s\n"
        "                                              instances  postgres  loadgen   used"
    )
    for result in results.values():
        print(describe(result, first))
    print(
        f"(CPU per report summed over each kind of process; 'cores used' is their CPU time over "
        f"the wall time:\n below {os.cpu_count()} with more instances means other work on "
        "the machine took the rest, see docs/operations.md)"
    )
    if 1 in results and 2 in results:
        check(BENCH, "scale-out 2 instances / 1", results[2].rate / results[1].rate, TARGET_TWO)
    if 2 in results and 3 in results:
        check(BENCH, "scale-out 3 instances / 2", results[3].rate / results[2].rate, TARGET_THREE)


if __name__ == "__main__":
    asyncio.run(main())
