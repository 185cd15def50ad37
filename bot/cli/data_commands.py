"""``dondoc import``, ``export``, ``invite`` and ``demo-data``: thin shells over the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table
from sqlalchemy.exc import DBAPIError

from bot.cli import app
from bot.cli.common import app_context, run
from bot.demo import DemoNotEmpty, has_units, load_demo
from bot.evaluation.periods import PeriodError, parse_period
from bot.evaluation.render import ReportFormat, render_report
from bot.exporting import build_status_workbook
from bot.i18n import format_datetime
from bot.importing import ImportFailed, ImportResult, Kind, import_files
from bot.services import directory, invites
from bot.services.errors import DomainError

console = Console(soft_wrap=True)


def _stderr(message: str) -> None:
    """One plain line on stderr (never wrapped, so file:row:column lines stay whole)."""
    typer.echo(message, err=True)


@contextmanager
def _clear_failures() -> Iterator[None]:
    """Domain and database errors become one clear line and exit code 1."""
    try:
        yield
    except DomainError as exc:
        _stderr(f"Error: {exc.message('en')}")
        raise typer.Exit(1) from exc
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        _stderr(f"Database error: {reason}. Is the schema up to date? Run `dondoc migrate`.")
        raise typer.Exit(1) from exc


class _ProgressBars:
    """Shows one Rich progress bar per stage reported by the import service."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        task = self.tasks.get(stage)
        if task is None:
            task = self.tasks[stage] = self.progress.add_task(stage, total=max(total, 1))
        self.progress.update(task, completed=done, total=max(total, 1))


@app.command("import")
def import_command(
    files: Annotated[
        list[Path], typer.Argument(help=".xlsx (a sheet per kind) or .csv (one kind per file)")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the files; write nothing.")
    ] = False,
) -> None:
    """Import units, officials and tasks. All or nothing: any bad row aborts the import with
    every error listed as file:row:column: reason. Re-importing a code updates that row."""

    async def go() -> ImportResult:
        async with app_context() as ctx:
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console,
                transient=True,
            ) as progress:
                return await import_files(
                    ctx, files, dry_run=dry_run, progress=_ProgressBars(progress)
                )

    with _clear_failures():
        try:
            result = run(go())
        except ImportFailed as exc:
            for issue in exc.errors:
                _stderr(str(issue))
            _stderr(f"Import refused: {len(exc.errors)} error(s); nothing was written.")
            raise typer.Exit(1) from exc
    for warning in result.warnings:
        _stderr(f"Warning: {warning}")
    table = Table(title="Dry run: nothing written" if dry_run else "Imported")
    for column in ("", "rows", "new", "updated"):
        table.add_column(column, justify="left" if not column else "right")
    for kind in Kind:
        table.add_row(
            kind.value,
            str(result.rows.get(kind, 0)),
            str(result.created.get(kind, 0)),
            str(result.updated.get(kind, 0)),
        )
    console.print(table)
    if result.deadline_changes:
        console.print(f"Deadlines changed (kept in each task's history): {result.deadline_changes}")


@app.command("export")
def export_command(
    file: Annotated[Path, typer.Argument(help="Where to write the report (.xlsx).")],
    unit: Annotated[
        str | None, typer.Option(help="Only this lead unit's tasks (unit code).")
    ] = None,
) -> None:
    """Write the Excel status report: counts per unit in the four official categories,
    overdue tasks with days late, and every task with its latest report."""
    if file.suffix.lower() != ".xlsx":
        _stderr(f"Error: {file} must end in .xlsx")
        raise typer.Exit(2)

    async def go() -> bytes:
        async with app_context() as ctx, ctx.db.session() as session:
            unit_id = (await directory.unit_by_code(session, unit)).id if unit else None
            return await build_status_workbook(session, ctx, unit_id)

    with _clear_failures():
        data = run(go())
    try:
        file.write_bytes(data)
    except OSError as exc:
        _stderr(f"Error: cannot write {file}: {exc.strerror}")
        raise typer.Exit(1) from exc
    console.print(f"Status report written to {file}")


@app.command("report")
def report_command(
    period: Annotated[
        str, typer.Option(help="2026-11 (month), 2026-Q4, 2026, or 2026-11-01..2026-11-30.")
    ],
    out: Annotated[Path, typer.Option(help="Where to write the report.")],
    fmt: Annotated[
        ReportFormat, typer.Option("--format", help="xlsx, docx or pdf.")
    ] = ReportFormat.XLSX,
    unit: Annotated[
        str | None, typer.Option(help="Only this unit's figures and overdue tasks (unit code).")
    ] = None,
) -> None:
    """Write the "Báo cáo kết quả thực hiện nhiệm vụ" of a period: summary on both bases,
    rankings with ratings, overdue tasks with days late and the latest report."""
    try:
        chosen = parse_period(period)
    except PeriodError as exc:
        _stderr(f"Error: --period {exc}")
        raise typer.Exit(2) from exc
    if out.suffix.lower() != f".{fmt.value}":
        _stderr(f"Error: {out} must end in .{fmt.value} for --format {fmt.value}")
        raise typer.Exit(2)

    async def go() -> bytes:
        async with app_context() as ctx, ctx.db.session() as session:
            found = await directory.unit_by_code(session, unit) if unit else None
            return await render_report(session, ctx, chosen, fmt, found)

    with _clear_failures():
        data = run(go())
    try:
        out.write_bytes(data)
    except OSError as exc:
        _stderr(f"Error: cannot write {out}: {exc.strerror}")
        raise typer.Exit(1) from exc
    console.print(f"Report for {chosen.label} written to {out}")


@app.command("invite")
def invite_command(
    official_code: Annotated[
        str | None, typer.Argument(help="The official who will link a chat account.")
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option(help="Instead of an official: a unit code, for binding a group chat."),
    ] = None,
    hours: Annotated[
        int | None, typer.Option(min=1, help="Validity in hours (default from settings).")
    ] = None,
) -> None:
    """Print a single-use invite code (and the Telegram deep link when the bot's username is
    set in DONDOC_TELEGRAM_BOT_USERNAME)."""
    if (official_code is None) == (unit is None):
        _stderr("Error: give an OFFICIAL_CODE or --unit UNIT_CODE (one of them).")
        raise typer.Exit(2)

    async def go() -> tuple[str, str, str | None, str]:
        async with app_context() as ctx, ctx.db.session() as session:
            ttl = dt.timedelta(hours=hours or ctx.settings.invite_ttl_hours)
            if official_code is not None:
                official = await directory.official_by_code(session, official_code)
                code = await invites.create_invite(session, ctx, official=official, ttl=ttl)
                who = f"{official.full_name} ({official.code})"
            else:
                assert unit is not None
                found = await directory.unit_by_code(session, unit)
                code = await invites.create_invite(session, ctx, unit=found, ttl=ttl)
                who = f"group chat of {found.name} ({found.code})"
            expires = format_datetime(ctx.now() + ttl, ctx.tz)
            return code, who, ctx.settings.telegram_bot_username, expires

    with _clear_failures():
        code, who, bot_name, expires = run(go())
    console.print(f"Invite code for {who}: [bold]{code}[/bold]", highlight=False)
    console.print(f"Single use, valid until {expires}.", highlight=False)
    if official_code is not None:
        console.print(f"In the bot's private chat: /start {code}", highlight=False, markup=False)
        if bot_name:
            console.print(f"Telegram link: https://t.me/{bot_name.lstrip('@')}?start={code}")
    else:
        console.print(
            f"Add the bot to the group, then send there: /start {code}",
            highlight=False,
            markup=False,
        )
        if bot_name:
            console.print(f"Telegram link: https://t.me/{bot_name.lstrip('@')}?startgroup={code}")


@app.command("demo-data")
def demo_data_command(
    if_empty: Annotated[
        bool,
        typer.Option("--if-empty", help="Load only when the database has no units (else skip)."),
    ] = False,
) -> None:
    """Load the Hải Phòng demo: departments, communes, leaders and officials, the 45
    resolutions, the plans and six programmes, with deadlines relative to today."""

    async def go() -> str:
        async with app_context() as ctx:
            if if_empty:
                async with ctx.db.session() as session:
                    if await has_units(session):
                        return "The database already has data; demo not loaded."
            summary = await load_demo(ctx)
            return (
                f"Demo loaded: {summary.units} units, {summary.officials} officials, "
                f"{summary.tasks} tasks, {summary.reports} reports, "
                f"{summary.extension_requests} extension requests, "
                f"{summary.explanation_requests} explanation requests.\n"
                "Create an invite code to try it in chat, e.g. for the head of Sở Tài chính:\n"
                "  dondoc invite SO-TC-TT        (a leader: dondoc invite CT-UBND)"
            )

    with _clear_failures():
        try:
            message = run(go())
        except DemoNotEmpty as exc:
            _stderr(
                f"Error: {exc}. Use --if-empty to skip quietly, or point DONDOC_DATABASE_URL "
                "at a new database."
            )
            raise typer.Exit(1) from exc
    console.print(message, markup=False, highlight=False)
