"""``dondoc import``, ``export``, ``invite`` and ``demo-data``: thin shells over the services."""

from __future__ import annotations

import asyncio
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
from bot.cli.common import app_context, check_database, run
from bot.cli.texts import cli_language, param_help, say
from bot.db import DatabaseNotMigrated
from bot.demo import DemoNotEmpty, has_units, load_demo
from bot.evaluation.periods import PeriodError, parse_period
from bot.evaluation.render import ReportFormat, render_report
from bot.exporting import build_status_workbook
from bot.i18n import format_datetime
from bot.importing import ImportFailed, ImportResult, Kind, import_files
from bot.importing.readers import Stage
from bot.invite_sheet import build_invite_workbook
from bot.migrate import migrate
from bot.services import directory, invites
from bot.services.errors import DomainError
from config import load_settings

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
        _stderr(say("error", detail=exc.message(cli_language())))
        raise typer.Exit(1) from exc
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        _stderr(say("error.database", reason=reason))
        raise typer.Exit(1) from exc


class _ProgressBars:
    """Shows one Rich progress bar per stage reported by the import service."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[Stage, TaskID] = {}

    def __call__(self, stage: Stage, done: int, total: int) -> None:
        task = self.tasks.get(stage)
        if task is None:
            description = stage.describe(cli_language())
            task = self.tasks[stage] = self.progress.add_task(description, total=max(total, 1))
        self.progress.update(task, completed=done, total=max(total, 1))


@app.command("import")
def import_command(
    files: Annotated[list[Path], typer.Argument(help=param_help("import.files"))],
    dry_run: Annotated[bool, typer.Option("--dry-run", help=param_help("import.dry_run"))] = False,
) -> None:
    """Import units, officials and tasks. All or nothing: any bad row aborts the import with
    every error listed as file:row:column: reason. Re-importing a code updates that row.
    A new database gets its schema first."""
    _create_schema_if_new()

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
                _stderr(issue.line(cli_language()))
            _stderr(say("import.refused", count=len(exc.errors)))
            raise typer.Exit(1) from exc
    for warning in result.warnings:
        _stderr(say("warning", detail=warning.line(cli_language())))
    table = Table(title=say("import.dry_run" if dry_run else "import.done"))
    table.add_column("", justify="left")
    for column in ("rows", "new", "updated"):
        table.add_column(say(f"import.column.{column}"), justify="right")
    for kind in Kind:
        table.add_row(
            kind.value,
            str(result.rows.get(kind, 0)),
            str(result.created.get(kind, 0)),
            str(result.updated.get(kind, 0)),
        )
    console.print(table)
    if result.deadline_changes:
        console.print(say("import.deadlines", count=result.deadline_changes))


def _create_schema_if_new() -> None:
    """A database never migrated gets the schema first (what ``dondoc migrate`` does), and
    the import says so; an existing database is left to ``dondoc migrate``."""
    url = load_settings().database_url
    try:
        check_database(url, schema=True)
    except DatabaseNotMigrated:
        migrate(url)
        typer.echo(say("import.schema_created"))


@app.command("export")
def export_command(
    file: Annotated[Path, typer.Argument(help=param_help("export.file"))],
    unit: Annotated[str | None, typer.Option(help=param_help("export.unit"))] = None,
) -> None:
    """Write the Excel status report: counts per unit in the four official categories,
    overdue tasks with days late, and every task with its latest report."""
    if file.suffix.lower() != ".xlsx":
        _stderr(say("error.suffix", file=file, suffix=".xlsx"))
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
        _stderr(say("error.cannot_write", file=file, reason=exc.strerror))
        raise typer.Exit(1) from exc
    console.print(say("export.done", file=file), markup=False, highlight=False)


@app.command("report")
def report_command(
    period: Annotated[str, typer.Option(help=param_help("report.period"))],
    out: Annotated[Path, typer.Option(help=param_help("report.out"))],
    fmt: Annotated[
        ReportFormat, typer.Option("--format", help=param_help("report.fmt"))
    ] = ReportFormat.XLSX,
    unit: Annotated[str | None, typer.Option(help=param_help("report.unit"))] = None,
) -> None:
    """Write the "Báo cáo kết quả thực hiện nhiệm vụ" of a period: summary on both bases,
    rankings with ratings, overdue tasks with days late and the latest report."""
    try:
        chosen = parse_period(period)
    except PeriodError as exc:
        _stderr(say("report.bad_period", detail=exc))
        raise typer.Exit(2) from exc
    if out.suffix.lower() != f".{fmt.value}":
        _stderr(say("report.suffix", file=out, format=fmt.value))
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
        _stderr(say("error.cannot_write", file=out, reason=exc.strerror))
        raise typer.Exit(1) from exc
    console.print(say("report.done", period=chosen.label, file=out), markup=False, highlight=False)


@app.command("invite")
def invite_command(
    official_code: Annotated[
        str | None, typer.Argument(help=param_help("invite.official_code"))
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option(help=param_help("invite.unit")),
    ] = None,
    hours: Annotated[int | None, typer.Option(min=1, help=param_help("invite.hours"))] = None,
    all_: Annotated[
        bool,
        typer.Option("--all", help=param_help("invite.all_")),
    ] = False,
    out: Annotated[Path | None, typer.Option(help=param_help("invite.out"))] = None,
) -> None:
    """Print a single-use invite code (and the Telegram deep link when the bot's username is
    set in DONDOC_TELEGRAM_BOT_USERNAME); with --all, write one for every official without a
    linked chat to an Excel sheet with links and QR codes."""
    if all_:
        _invite_all(unit, hours, out, official_code)
        return
    if out is not None:
        _stderr(say("invite.out_needs_all"))
        raise typer.Exit(2)
    if (official_code is None) == (unit is None):
        _stderr(say("invite.one_of"))
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
                who = say("invite.group_of", unit=found.name, code=found.code)
            expires = format_datetime(ctx.now() + ttl, ctx.tz)
            return code, who, ctx.settings.telegram_bot_username, expires

    with _clear_failures():
        code, who, bot_name, expires = run(go())
    lines = [say("invite.code", who=who, code=code), say("invite.valid", expires=expires)]
    group = official_code is None
    lines.append(say("invite.in_group" if group else "invite.in_private", code=code))
    if bot_name:
        link = invites.telegram_link(bot_name, code, group=group)
        lines.append(say("invite.link", link=link))
    for line in lines:
        console.print(line, highlight=False, markup=False)


def _invite_all(
    unit: str | None, hours: int | None, out: Path | None, official_code: str | None
) -> None:
    """``dondoc invite --all``: codes for every official without a linked chat, in an invite
    sheet. The sheet is made and written (as ``FILE.part``) before the codes are stored in one
    short transaction, so the database is not locked while thousands of QR codes are drawn,
    and a file that cannot be written leaves no code behind."""
    if official_code is not None or out is None or out.suffix.lower() != ".xlsx":
        _stderr(say("invite.all_usage"))
        raise typer.Exit(2)
    partial = out.with_name(out.name + ".part")

    async def go() -> tuple[int, str | None]:
        async with app_context() as ctx:
            async with ctx.db.session() as session:
                found = await directory.unit_by_code(session, unit) if unit else None
                ttl = dt.timedelta(hours=hours or ctx.settings.invite_ttl_hours)
                issued = await invites.plan_unlinked_invites(session, ctx, unit=found, ttl=ttl)
            bot_name = ctx.settings.telegram_bot_username
            data = await asyncio.to_thread(build_invite_workbook, ctx, issued, bot_name)
            try:
                await asyncio.to_thread(partial.write_bytes, data)
            except OSError as exc:
                _stderr(say("error.cannot_write", file=out, reason=exc.strerror))
                raise typer.Exit(1) from exc
            try:
                async with ctx.db.session() as session:
                    await invites.store_invites(session, ctx, issued)
            except BaseException:
                await asyncio.to_thread(partial.unlink, missing_ok=True)
                raise
            await asyncio.to_thread(partial.replace, out)
            return len(issued), bot_name

    with _clear_failures():
        count, bot_name = run(go())
    console.print(say("invite.all_done", file=out, count=count), highlight=False, markup=False)
    if not bot_name:
        _stderr(say("invite.all_no_username"))


@app.command("demo-data")
def demo_data_command(
    if_empty: Annotated[
        bool,
        typer.Option("--if-empty", help=param_help("demo-data.if_empty")),
    ] = False,
) -> None:
    """Load the Hải Phòng demo: departments, communes, leaders and officials, the 45
    resolutions, the plans and six programmes, with deadlines relative to today."""

    async def go() -> str:
        async with app_context() as ctx:
            if if_empty:
                async with ctx.db.session() as session:
                    if await has_units(session):
                        return say("demo.skipped")
            summary = await load_demo(ctx)
            return say(
                "demo.loaded",
                units=summary.units,
                officials=summary.officials,
                tasks=summary.tasks,
                reports=summary.reports,
                extension_requests=summary.extension_requests,
                explanation_requests=summary.explanation_requests,
                recommendations=summary.recommendations,
            )

    with _clear_failures():
        try:
            message = run(go())
        except DemoNotEmpty as exc:
            _stderr(say("demo.not_empty", detail=exc))
            raise typer.Exit(1) from exc
    console.print(message, markup=False, highlight=False)
