"""``dondoc revoke`` / ``reactivate`` (access of one official) and ``dondoc backup`` /
``restore`` (a SQLite database, through sqlite3's online backup API)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from bot.cli import app
from bot.cli.common import app_context, run
from bot.cli.texts import cli_language, param_help, say
from bot.services.access import Revoked, reactivate_access, revoke_access
from bot.services.errors import DomainError
from config import load_settings

REQUIRED_TABLES = ("officials", "tasks", "alembic_version")


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


@app.command("revoke")
def revoke_command(
    official_code: Annotated[str, typer.Argument(help=param_help("revoke.official_code"))],
) -> None:
    """Take access away from an official who left or changed posts: deactivate them, unlink
    every chat account, end every dashboard and web-chat session, cancel open invites and
    pending messages. Audited. Undo with `dondoc reactivate`."""

    async def go() -> Revoked:
        async with app_context() as ctx, ctx.db.session() as session:
            return await revoke_access(session, ctx, official_code, via="cli")

    try:
        done = run(go())
    except DomainError as exc:
        raise _fail(say("error", detail=exc.message(cli_language()))) from exc
    official = done.official
    typer.echo(say("revoke.done", name=official.full_name, code=official.code))
    typer.echo(
        say(
            "revoke.counts",
            chat_accounts=done.chat_accounts,
            sessions=done.sessions,
            invites=done.invites,
            outbox=done.outbox,
        )
    )


@app.command("reactivate")
def reactivate_command(
    official_code: Annotated[str, typer.Argument(help=param_help("reactivate.official_code"))],
) -> None:
    """Make a revoked official active again. Their chat accounts stay unlinked: give them a
    new invite code (`dondoc invite CODE`) to link again. Audited."""

    async def go() -> str:
        async with app_context() as ctx, ctx.db.session() as session:
            official = await reactivate_access(session, ctx, official_code, via="cli")
            return f"{official.full_name} ({official.code})"

    try:
        who = run(go())
    except DomainError as exc:
        raise _fail(say("error", detail=exc.message(cli_language()))) from exc
    typer.echo(say("reactivate.done", who=who, code=official_code))


def _sqlite_path() -> Path:
    """The configured SQLite database file; PostgreSQL is backed up with its own tools."""
    url = make_url(load_settings().database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise _fail(say("backup.sqlite_only"), 2)
    return Path(url.database)


def _copy(source: Path, target: Path) -> None:
    """Copy a SQLite database page by page with the online backup API (safe while the
    source is in use: the copy is one consistent snapshot)."""
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
        closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)


def _check_dondoc_database(path: Path) -> None:
    """Refuse a file that is not an intact Dondoc SQLite database."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            integrity = connection.execute("PRAGMA quick_check").fetchone()[0]
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
    except sqlite3.DatabaseError as exc:
        raise _fail(say("backup.not_sqlite", path=path, reason=exc)) from exc
    if integrity != "ok":
        raise _fail(say("backup.damaged", path=path, reason=integrity))
    missing = [table for table in REQUIRED_TABLES if table not in tables]
    if missing:
        raise _fail(say("backup.not_dondoc", path=path, tables=", ".join(missing)))


@app.command("backup")
def backup_command(
    file: Annotated[Path, typer.Argument(help=param_help("backup.file"))],
) -> None:
    """Copy the SQLite database to FILE (safe while Dondoc runs)."""
    database = _sqlite_path()
    if not database.is_file():
        raise _fail(say("backup.no_database", path=database))
    if file.exists():
        raise _fail(say("backup.exists", path=file))
    try:
        _copy(database, file)
    except sqlite3.Error as exc:
        file.unlink(missing_ok=True)
        raise _fail(say("backup.failed", path=file, reason=exc)) from exc
    _check_dondoc_database(file)
    typer.echo(say("backup.done", database=database, path=file))


@app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(help=param_help("restore.file"))],
    force: Annotated[bool, typer.Option("--force", help=param_help("restore.force"))] = False,
) -> None:
    """Replace the SQLite database with the copy in FILE. Stop `dondoc run` first."""
    database = _sqlite_path()
    if not file.is_file():
        raise _fail(say("restore.missing", path=file))
    _check_dondoc_database(file)
    if database.exists() and database.stat().st_size > 0 and not force:
        raise _fail(say("restore.exists", database=database))
    try:
        _copy(file, database)
    except sqlite3.Error as exc:
        raise _fail(say("restore.failed", database=database, reason=exc)) from exc
    typer.echo(say("restore.done", database=database, path=file))
