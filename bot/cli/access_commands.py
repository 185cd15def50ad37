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
from bot.services.access import Revoked, reactivate_access, revoke_access
from bot.services.errors import DomainError
from config import load_settings

REQUIRED_TABLES = ("officials", "tasks", "alembic_version")


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


@app.command("revoke")
def revoke_command(
    official_code: Annotated[str, typer.Argument(help="The official whose access ends.")],
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
        raise _fail(f"Error: {exc.message('en')}") from exc
    official = done.official
    typer.echo(f"Access revoked: {official.full_name} ({official.code}).")
    typer.echo(
        f"Chat accounts unlinked: {done.chat_accounts}; dashboard sessions ended: "
        f"{done.sessions}; invites cancelled: {done.invites}; messages not sent: {done.outbox}."
    )


@app.command("reactivate")
def reactivate_command(
    official_code: Annotated[str, typer.Argument(help="The official to make active again.")],
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
        raise _fail(f"Error: {exc.message('en')}") from exc
    typer.echo(f"Active again: {who}. Link a chat with a new invite: dondoc invite {official_code}")


def _sqlite_path() -> Path:
    """The configured SQLite database file; PostgreSQL is backed up with its own tools."""
    url = make_url(load_settings().database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise _fail(
            "Error: `dondoc backup`/`restore` work on a SQLite database file; for PostgreSQL "
            "use pg_dump and pg_restore (see docs/operations.md).",
            2,
        )
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
        raise _fail(f"Error: {path} is not a SQLite database ({exc}).") from exc
    if integrity != "ok":
        raise _fail(f"Error: {path} is damaged: {integrity}.")
    missing = [table for table in REQUIRED_TABLES if table not in tables]
    if missing:
        raise _fail(f"Error: {path} is not a Dondoc database (no {', '.join(missing)} table).")


@app.command("backup")
def backup_command(
    file: Annotated[Path, typer.Argument(help="Where to write the copy (a new file).")],
) -> None:
    """Copy the SQLite database to FILE (safe while Dondoc runs)."""
    database = _sqlite_path()
    if not database.is_file():
        raise _fail(f"Error: there is no database at {database}.")
    if file.exists():
        raise _fail(f"Error: {file} exists; give a new file name.")
    try:
        _copy(database, file)
    except sqlite3.Error as exc:
        file.unlink(missing_ok=True)
        raise _fail(f"Error: backup to {file} failed: {exc}.") from exc
    _check_dondoc_database(file)
    typer.echo(f"Backed up {database} to {file}.")


@app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(help="A copy made by `dondoc backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that already exists.")
    ] = False,
) -> None:
    """Replace the SQLite database with the copy in FILE. Stop `dondoc run` first."""
    database = _sqlite_path()
    if not file.is_file():
        raise _fail(f"Error: {file} does not exist.")
    _check_dondoc_database(file)
    if database.exists() and database.stat().st_size > 0 and not force:
        raise _fail(
            f"Error: {database} exists; stop Dondoc and run again with --force to replace it."
        )
    try:
        _copy(file, database)
    except sqlite3.Error as exc:
        raise _fail(f"Error: restore into {database} failed: {exc}.") from exc
    typer.echo(f"Restored {database} from {file}. Run `dondoc migrate` if the copy is older.")
