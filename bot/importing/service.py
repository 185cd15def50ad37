"""``import_files``: read, check and write units, officials and tasks, all or nothing."""

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
from bot.importing.validation import check_references, parse_tables
from bot.services import audit


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do)."""

    dry_run: bool
    rows: dict[Kind, int] = field(default_factory=dict)
    """Rows read per kind."""
    created: dict[Kind, int] = field(default_factory=dict)
    updated: dict[Kind, int] = field(default_factory=dict)
    deadline_changes: int = 0
    warnings: list[str] = field(default_factory=list)


async def import_files(
    ctx: AppContext,
    paths: Sequence[Path | str],
    *,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    via: str = "cli",
) -> ImportResult:
    """Import .csv/.xlsx files in one transaction.

    Raises :class:`ImportFailed` listing every problem (``file:row:column: reason``) when
    anything is wrong; then nothing is written. ``dry_run`` checks everything and writes
    nothing. Re-importing a code updates that row; a changed task deadline is recorded in
    the task's deadline history, and every changed field (old → new) in the audit log.
    """
    files = [Path(path) for path in paths]
    limits = Limits(
        max_bytes=ctx.settings.import_max_bytes,
        max_unpacked_bytes=ctx.settings.import_max_unpacked_bytes,
    )
    read = read_files(files, limits, progress)
    issues: list[Issue] = list(read.issues)
    plan = parse_tables(read.tables, issues)
    result = ImportResult(
        dry_run=dry_run,
        rows={kind: len(plan.of(kind)) for kind in Kind},
        warnings=read.warnings,
    )
    async with ctx.db.session() as session:
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
        await _audit(session, ctx, files, counts, via)
    for kind in Kind:
        result.created[kind] = len(counts.of(kind).created)
        result.updated[kind] = len(counts.of(kind).updated)
    result.deadline_changes = len(counts.deadline_changes)
    return result


async def _audit(
    session: AsyncSession, ctx: AppContext, files: list[Path], counts: WriteCounts, via: str
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
        await audit.record(session, ctx, f"import.{kind.value}", kind.value, via=via, **details)
    await audit.record_many(
        session,
        ctx,
        "import.change",
        ((change.entity, change.entity_id, change.details()) for change in counts.changes),
        via=via,
    )
