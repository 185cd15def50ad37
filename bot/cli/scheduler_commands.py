"""``dondoc remind`` and ``dondoc digest``: see or trigger what the scheduler sends."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli import app
from bot.cli.common import app_context, run
from bot.cli.texts import cli_language, param_help, say
from bot.clock import FrozenClock
from bot.context import AppContext
from bot.models import Role
from bot.services import directory
from bot.services.errors import DomainError
from scheduler import digests, planner
from scheduler.reminders import GROUP_ORDER

console = Console(soft_wrap=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(say("error", detail=message), err=True)
    return typer.Exit(code)


def parse_day(text: str) -> dt.date:
    """A dd/mm/yyyy date; raises ValueError with a message for anything else."""
    try:
        return dt.datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise ValueError(say("remind.bad_date", text=repr(text))) from None


@app.command("remind")
def remind_command(
    dry_run: Annotated[bool, typer.Option("--dry-run", help=param_help("remind.dry_run"))] = False,
    date: Annotated[str | None, typer.Option("--date", help=param_help("remind.date"))] = None,
) -> None:
    """Reminders of a send window: with --dry-run, who would get what on which channel;
    without it, plan today's window now (the running bot sends it)."""
    if date is not None and not dry_run:
        raise _fail(say("remind.date_needs_dry_run"))
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
        typer.echo(say("remind.day_off", day=shown))
        return
    policy = ctx.settings.reminders
    ctx.clock = FrozenClock(ctx.at_local(day, policy.send_time))
    async with ctx.db.session() as session:
        messages = await planner.plan_day(session, ctx, day)
    window = policy.send_time.strftime("%H:%M")
    typer.echo(say("remind.plan", day=shown, window=window, count=len(messages)))
    if not messages:
        return
    columns = ("recipient", "channel", "chat", "items")
    table = Table(*(say(f"remind.column.{column}") for column in columns), show_lines=True)
    for message in messages:
        items = list(message.items.values())
        lines = []
        for kind in GROUP_ORDER:
            codes = [item.code for item in items if item.kind is kind]
            if codes:
                lines.append(f"{say(f'remind.group.{kind.value}')}: {', '.join(codes)}")
        name = message.name + (f" ({message.unit_name})" if message.unit_name else "")
        if message.recipient.is_group:
            name += f" [{say('remind.group_chat')}]"
        table.add_row(name, message.recipient.channel, message.recipient.chat_id, "\n".join(lines))
    console.print(table)


def _print_tick(result: planner.TickResult) -> None:
    for skipped in result.skipped_days:
        typer.echo(say("remind.skipped", day=f"{skipped:%d/%m/%Y}"))
    if result.busy:
        typer.echo(say("remind.busy"))
    elif result.planned:
        key = "remind.queued_late" if result.late else "remind.queued"
        typer.echo(say(key, day=f"{result.day:%d/%m/%Y}", count=result.queued))
    else:
        typer.echo(say("remind.nothing", day=f"{result.day:%d/%m/%Y}"))


@app.command("digest")
def digest_command(
    print_: Annotated[bool, typer.Option("--print", help=param_help("digest.print_"))] = False,
    leader: Annotated[
        str | None, typer.Option("--leader", help=param_help("digest.leader"))
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help=param_help("digest.unit"))] = None,
    weekly: Annotated[bool, typer.Option("--weekly", help=param_help("digest.weekly"))] = False,
) -> None:
    """With --print, show a digest (city-wide, a leader's, or a unit's); without it, queue
    today's digests now if they are due and not sent yet (the running bot sends them)."""
    if leader and unit:
        raise _fail(say("digest.leader_or_unit"))
    if (leader or unit or weekly) and not print_:
        raise _fail(say("digest.needs_print"))

    async def go() -> None:
        async with app_context() as ctx:
            if print_:
                typer.echo(await _digest_text(ctx, leader, unit, weekly))
                return
            result = await digests.run_daily(ctx)
            if result is None:
                typer.echo(say("digest.not_due"))
            else:
                typer.echo(
                    say(
                        "digest.weekly_queued" if result.weekly else "digest.daily_queued",
                        period=result.period,
                        queued=result.queued,
                        already_sent=result.already_sent,
                    )
                )

    try:
        run(go())
    except DomainError as exc:
        raise _fail(exc.message(cli_language()), 1) from exc


async def _digest_text(
    ctx: AppContext, leader_code: str | None, unit_code: str | None, weekly: bool
) -> str:
    language = ctx.settings.language
    async with ctx.db.session() as session:
        if leader_code:
            official = await directory.official_by_code(session, leader_code)
            if official.role not in (Role.LEADER, Role.ADMIN):
                raise _fail(say("digest.not_leader", code=official.code, role=official.role))
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
