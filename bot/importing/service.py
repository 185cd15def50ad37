"""Importing units, officials and tasks, all or nothing: :func:`read_import` reads and parses
the files, :func:`apply_import` checks them against the database and writes them.
``dondoc import`` (:func:`import_files`) and the web upload page share both steps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.importing.headers import Kind
from bot.importing.issues import ImportFailed, Issue
from bot.importing.readers import Limits, ProgressCallback, read_files
from bot.importing.upsert import WriteCounts, existing_task_codes, load_existing, write_plan
from bot.importing.validation import ImportPlan, check_references, parse_tables
from bot.models import Official
from bot.services import audit
from config import Settings


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do)."""

    dry_run: bool
    rows: dict[Kind, int] = field(default_factory=dict)
    """Rows read per kind."""
    created: dict[Kind, int] = field(default_factory=dict)
    updated: dict[Kind, int] = field(default_factory=dict)
    deadline_changes: int = 0
    warnings: list[Issue] = field(default_factory=list)


@dataclass
class PreparedImport:
    """Files read and parsed, not yet checked against the database (:func:`read_import`)."""

    files: list[Path]
    plan: ImportPlan
    issues: list[Issue]
    warnings: list[Issue]


def read_import(
    settings: Settings, paths: Sequence[Path | str], progress: ProgressCallback | None = None
) -> PreparedImport:
    """Read and parse .csv/.xlsx files within the import size limits. Pure CPU and file
    work, no database: the web runs it in a thread before the import's transaction."""
    files = [Path(path) for path in paths]
    limits = Limits(
        max_bytes=settings.import_max_bytes,
        max_unpacked_bytes=settings.import_max_unpacked_bytes,
    )
    read = read_files(files, limits, progress)
    issues: list[Issue] = list(read.issues)
    plan = parse_tables(read.tables, issues)
    return PreparedImport(files, plan, issues, read.warnings)


async def apply_import(
    session: AsyncSession,
    ctx: AppContext,
    prepared: PreparedImport,
    *,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    via: str = "cli",
    actor: Official | None = None,
) -> ImportResult:
    """Check ``prepared`` against the database and (unless ``dry_run``) write it in
    ``session``'s transaction, audited as done by ``actor`` (None: the operator's shell).

    Raises :class:`ImportFailed` listing every problem; then nothing is written.
    """
    plan = prepared.plan
    issues = list(prepared.issues)
    result = ImportResult(
        dry_run=dry_run,
        rows={kind: len(plan.of(kind)) for kind in Kind},
        warnings=list(prepared.warnings),
    )
    existing = await load_existing(session)
    check_references(plan, existing, issues)
    if issues:
        raise ImportFailed(issues)
    if dry_run:
        known = {
            Kind.UNITS: set(existing.unit_parents),
            Kind.OFFICIALS: set(existing.official_names),
            Kind.TASKS: await existing_task_codes(session, [r.code for r in plan.tasks]),
        }
        for kind in Kind:
            updated = sum(1 for record in plan.of(kind) if record.code in known[kind])
            result.updated[kind] = updated
            result.created[kind] = len(plan.of(kind)) - updated
        return result
    counts = await write_plan(session, ctx, plan, progress)
    await _audit(session, ctx, prepared.files, counts, via, actor)
    for kind in Kind:
        result.created[kind] = len(counts.of(kind).created)
        result.updated[kind] = len(counts.of(kind).updated)
    result.deadline_changes = len(counts.deadline_changes)
    return result


async def import_files(
    ctx: AppContext,
    paths: Sequence[Path | str],
    *,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    via: str = "cli",
) -> ImportResult:
    """Import .csv/.xlsx files in one transaction (``dondoc import``).

    Raises :class:`ImportFailed` listing every problem (``file:row:column: reason``) when
    anything is wrong; then nothing is written. ``dry_run`` checks everything and writes
    nothing. Re-importing a code updates that row; a changed task deadline is recorded in
    the task's deadline history, and every changed field (old → new) in the audit log.
    """
    prepared = read_import(ctx.settings, paths, progress)
    async with ctx.db.session() as session:
        return await apply_import(
            session, ctx, prepared, dry_run=dry_run, progress=progress, via=via
        )


async def _audit(
    session: AsyncSession,
    ctx: AppContext,
    files: list[Path],
    counts: WriteCounts,
    via: str,
    actor: Official | None,
) -> None:
    names = [path.name for path in files]
    for kind in Kind:
        kind_counts = counts.of(kind)
        if not (kind_counts.created or kind_counts.updated):
            continue
        details: dict[str, Any] = {
            "files": names,
            "created": kind_counts.created,
            "updated": kind_counts.updated,
        }
        if kind is Kind.TASKS:
            details["deadline_changed"] = counts.deadline_changes
        await audit.record(
            session, ctx, f"import.{kind.value}", kind.value, actor=actor, via=via, **details
        )
    await audit.record_many(
        session,
        ctx,
        "import.change",
        ((change.entity, change.entity_id, change.details()) for change in counts.changes),
        via=via,
        actor=actor,
    )
