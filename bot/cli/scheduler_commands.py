"""``dondoc remind`` and ``dondoc digest``: see or trigger what the scheduler sends."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli import app
from bot.cli.common import app_context, run
from bot.clock import FrozenClock
from bot.context import AppContext
from bot.models import Role
from bot.services import directory
from bot.services.errors import DomainError
from scheduler import digests, planner
from scheduler.reminders import GROUP_ORDER, ItemKind

console = Console(soft_wrap=True)
GROUP_NAMES = {
    ItemKind.OVERDUE: "overdue",
    ItemKind.DUE_TODAY: "due today",
    ItemKind.UPCOMING: "due soon",
    ItemKind.STALE: "no report",
    ItemKind.EXTENSION: "extension to decide",
    ItemKind.EXPLANATION: "explanation to give",
}


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code)


def parse_day(text: str) -> dt.date:
    """A dd/mm/yyyy date; raises ValueError with a message for anything else."""
    try:
        return dt.datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise ValueError(
            f"--date must be a real date written dd/mm/yyyy, e.g. 15/12/2025 (got {text!r})"
        ) from None


@app.command("remind")
def remind_command(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would go out; write and send nothing.")
    ] = False,
    date: Annotated[
        str | None, typer.Option("--date", help="Window to show (dd/mm/yyyy); default today.")
    ] = None,
) -> None:
    """Reminders of a send window: with --dry-run, who would get what on which channel;
    without it, plan today's window now (the running bot sends it)."""
    if date is not None and not dry_run:
        raise _fail("--date works with --dry-run only (reminders are planned for today)")
    try:
        day = parse_day(date) if date is not None else None
    except ValueError as exc:
        raise _fail(str(exc)) from exc

    async def go() -> None:
        async with app_context() as ctx:
            if dry_run:
                await _print_plan(ctx, day or ctx.today())
            else:
                result = await planner.run_tick(ctx)
                _print_tick(result)

    run(go())


async def _print_plan(ctx: AppContext, day: dt.date) -> None:
    shown = day.strftime("%d/%m/%Y")
    if not ctx.calendar.is_working_day(day):
        typer.echo(f"{shown} is not a working day: no reminders go out.")
        return
    policy = ctx.settings.reminders
    ctx.clock = FrozenClock(ctx.at_local(day, policy.send_time))
    async with ctx.db.session() as session:
        messages = await planner.plan_day(session, ctx, day)
    window = policy.send_time.strftime("%H:%M")
    typer.echo(f"Reminders for {shown} (window {window}): {len(messages)} messages.")
    if not messages:
        return
    table = Table("Recipient", "Channel", "Chat", "Items", show_lines=True)
    for message in messages:
        items = list(message.items.values())
        lines = []
        for kind in GROUP_ORDER:
            codes = [item.code for item in items if item.kind is kind]
            if codes:
                lines.append(f"{GROUP_NAMES[kind]}: {', '.join(codes)}")
        name = message.name + (f" ({message.unit_name})" if message.unit_name else "")
        if message.recipient.is_group:
            name += " [group]"
        table.add_row(name, message.recipient.channel, message.recipient.chat_id, "\n".join(lines))
    console.print(table)


def _print_tick(result: planner.TickResult) -> None:
    for skipped in result.skipped_days:
        typer.echo(f"{skipped:%d/%m/%Y}: window missed, recorded as skipped.")
    if result.busy:
        typer.echo("Another instance is planning right now; nothing done.")
    elif result.planned:
        late = " (late)" if result.late else ""
        typer.echo(f"{result.day:%d/%m/%Y}: {result.queued} reminders queued{late}.")
    else:
        typer.echo(
            f"{result.day:%d/%m/%Y}: nothing to plan (not a working day, before the send "
            "window, or already planned)."
        )


@app.command("digest")
def digest_command(
    print_: Annotated[
        bool, typer.Option("--print", help="Print a digest to the terminal; send nothing.")
    ] = False,
    leader: Annotated[
        str | None, typer.Option("--leader", help="As this leader (or admin) gets it: code.")
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="One unit's digest: unit code.")
    ] = None,
    weekly: Annotated[bool, typer.Option("--weekly", help="The weekly digest.")] = False,
) -> None:
    """With --print, show a digest (city-wide, a leader's, or a unit's); without it, queue
    today's digests now if they are due and not sent yet (the running bot sends them)."""
    if leader and unit:
        raise _fail("use either --leader or --unit, not both")
    if (leader or unit or weekly) and not print_:
        raise _fail("--leader, --unit and --weekly go with --print")

    async def go() -> None:
        async with app_context() as ctx:
            if print_:
                typer.echo(await _digest_text(ctx, leader, unit, weekly))
                return
            result = await digests.run_daily(ctx)
            if result is None:
                typer.echo("No digest is due now (not a working day, or before the digest time).")
            else:
                kind = "weekly" if result.weekly else "daily"
                typer.echo(
                    f"{kind} digests {result.period}: {result.queued} queued, "
                    f"{result.already_sent} already sent."
                )

    try:
        run(go())
    except DomainError as exc:
        raise _fail(exc.message("en"), 1) from exc


async def _digest_text(
    ctx: AppContext, leader_code: str | None, unit_code: str | None, weekly: bool
) -> str:
    language = ctx.settings.language
    async with ctx.db.session() as session:
        if leader_code:
            official = await directory.official_by_code(session, leader_code)
            if official.role not in (Role.LEADER, Role.ADMIN):
                raise _fail(f"{official.code} is not a leader or admin (role: {official.role})")
            target = digests.DigestTarget(
                official.id, official.full_name, official.language, None, None, True
            )
        elif unit_code:
            found = await directory.unit_by_code(session, unit_code)
            target = digests.DigestTarget(None, found.name, language, found.id, found.name, False)
        else:
            target = digests.DigestTarget(None, "", language, None, None, True)
        replies, _ = await digests.build_digest(
            session, ctx, target, ctx.today(), weekly=weekly, attachments=False
        )
    return replies[0].text
