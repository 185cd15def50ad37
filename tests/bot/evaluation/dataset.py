"""A hand-checked data set around Tết 2026 (days off 16/02–20/02).

The period read is 01/02–18/02/2026, which ends inside Tết; the previous period of the same
length is 14/01–31/01/2026. Every task is created on 02/01/2026; "no report for 30 days" is
counted back from 18/02 (reports since 20/01 count).

Sở Tài chính (department), period 01/02–18/02:
  A1 deadline 10/02, done 09/02                       → done on time
  A2 deadline 12/02, done 19/02 (after the period)    → overdue on 18/02, 6 days late, no report
  A3 deadline 05/02, done 06/02                       → done late, 1 day late
  A4 deadline 18/02, open, report 17/02               → in progress
  A5 no deadline, done 10/02                          → done on time (no deadline)
  A6 no deadline, open, never reported               → counts: in progress, late report
  A7 no deadline, open, report 10/02                  → not counted
  A8 deadline 19/02 (next period)                     → not counted
  A9 deadline 10/02 extended to 15/02, done 14/02     → done on time, 1 extension
  → 7 tasks: 3 on time, 1 late, 2 in progress, 1 overdue; 5 with a deadline; 7 days late;
    2 late reports (A2, A6); score 3/7 = 42.86 → không hoàn thành.
Phường Lê Chân (commune): B1 deadline 03/02 done 03/02, B2 deadline 13/02 done 12/02,
  B3 no deadline done 18/02, B4 deadline 28/02 → 3 on time → 100 → xuất sắc.
  Previous period: B0 deadline 20/01, open → overdue → 0.
Xã Vĩnh Bảo (commune): D1 deadline 11/02 open (7 days late), D2 deadline 11/02 done 11/02
  → 50 → hoàn thành. Previous period: D0 deadline 20/01 done 19/01 → 100.
Ban Dân tộc (department): no task → not rated.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.evaluation.periods import Period, PeriodKind
from bot.models import (
    DeadlineChange,
    ExplanationRequest,
    ExtensionRequest,
    ExtensionStatus,
    Report,
    ReportKind,
    Role,
    Task,
    Unit,
    UnitKind,
)
from tests.bot.builders import add_official, add_task, add_unit
from tests.conftest import HCM

PERIOD = Period(PeriodKind.RANGE, dt.date(2026, 2, 1), dt.date(2026, 2, 18))
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=HCM)
CREATED = dt.datetime(2026, 1, 2, 9, 0, tzinfo=HCM)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=HCM)


async def _task(
    session: AsyncSession,
    ctx: AppContext,
    code: str,
    unit: Unit,
    deadline: dt.date | None,
    done: dt.date | None = None,
) -> Task:
    task = await add_task(session, ctx, code, unit, deadline=deadline, created_at=CREATED)
    if done is not None:
        task.completed_on, task.completed_at, task.progress = done, at(done), 100
    return task


async def _report(session: AsyncSession, task: Task, day: dt.date) -> None:
    session.add(
        Report(
            task_id=task.id,
            kind=ReportKind.PROGRESS,
            progress=50,
            channel="web",
            created_at=at(day),
        )
    )


async def load(session: AsyncSession, ctx: AppContext) -> dict[str, Unit]:
    d = dt.date
    tc = await add_unit(session, ctx, "SO-TC", "Sở Tài chính")
    lc = await add_unit(session, ctx, "P-LECHAN", "Phường Lê Chân")
    vb = await add_unit(session, ctx, "X-VINHBAO", "Xã Vĩnh Bảo")
    bdt = await add_unit(session, ctx, "BAN-DT", "Ban Dân tộc")
    tc.kind = bdt.kind = UnitKind.DEPARTMENT
    lc.kind = vb.kind = UnitKind.COMMUNE
    head = await add_official(session, ctx, "SO-TC-TT", tc, Role.HEAD, "Trần Văn Hùng")
    tc.head_id = head.id

    await _task(session, ctx, "A1", tc, d(2026, 2, 10), d(2026, 2, 9))
    a2 = await _task(session, ctx, "A2", tc, d(2026, 2, 12), d(2026, 2, 19))
    await _task(session, ctx, "A3", tc, d(2026, 2, 5), d(2026, 2, 6))
    a4 = await _task(session, ctx, "A4", tc, d(2026, 2, 18))
    await _task(session, ctx, "A5", tc, None, d(2026, 2, 10))
    await _task(session, ctx, "A6", tc, None)
    a7 = await _task(session, ctx, "A7", tc, None)
    await _task(session, ctx, "A8", tc, d(2026, 2, 19))
    a9 = await _task(session, ctx, "A9", tc, d(2026, 2, 15), d(2026, 2, 14))
    await _report(session, a4, d(2026, 2, 17))
    await _report(session, a7, d(2026, 2, 10))
    await _report(session, a2, d(2026, 2, 19))
    request = ExtensionRequest(
        task_id=a9.id,
        requested_by_id=head.id,
        old_deadline=d(2026, 2, 10),
        new_deadline=d(2026, 2, 15),
        reason="Chờ số liệu",
        status=ExtensionStatus.APPROVED,
        requested_at=at(d(2026, 2, 6)),
        decided_at=at(d(2026, 2, 9)),
    )
    session.add(request)
    await session.flush()
    session.add(
        DeadlineChange(
            task_id=a9.id,
            old_deadline=d(2026, 2, 10),
            new_deadline=d(2026, 2, 15),
            extension_request_id=request.id,
            changed_at=at(d(2026, 2, 9)),
        )
    )

    await _task(session, ctx, "B1", lc, d(2026, 2, 3), d(2026, 2, 3))
    await _task(session, ctx, "B2", lc, d(2026, 2, 13), d(2026, 2, 12))
    await _task(session, ctx, "B3", lc, None, d(2026, 2, 18))
    await _task(session, ctx, "B4", lc, d(2026, 2, 28))
    await _task(session, ctx, "B0", lc, d(2026, 1, 20))

    await _task(session, ctx, "D1", vb, d(2026, 2, 11))
    await _task(session, ctx, "D2", vb, d(2026, 2, 11), d(2026, 2, 11))
    await _task(session, ctx, "D0", vb, d(2026, 1, 20), d(2026, 1, 19))
    await session.flush()
    return {"tc": tc, "lc": lc, "vb": vb, "bdt": bdt}


async def add_explanations(session: AsyncSession, ctx: AppContext) -> None:
    """Explanation requests around the period (after :func:`load`): at its end Sở Tài chính
    has one open and late (A2, due 16/02), Xã Vĩnh Bảo one open within its date (D1, answered
    only on 19/02), Phường Lê Chân one answered late in the period (B0); A3's was answered in
    time and A1's was made after the period."""
    d = dt.date
    leader = await add_official(session, ctx, "LD-PCT", None, Role.LEADER, "Lê Ngọc Châu")
    leader.title = "Phó Chủ tịch UBND thành phố"
    tasks = {task.code: task for task in await session.scalars(select(Task))}
    for code, made, due, answered in [
        ("A2", d(2026, 2, 13), d(2026, 2, 16), None),
        ("D1", d(2026, 2, 12), d(2026, 2, 20), d(2026, 2, 19)),
        ("B0", d(2026, 1, 21), d(2026, 1, 25), d(2026, 2, 3)),
        ("A3", d(2026, 2, 1), d(2026, 2, 5), d(2026, 2, 4)),
        ("A1", d(2026, 2, 19), d(2026, 2, 25), None),
    ]:
        task = tasks[code]
        session.add(
            ExplanationRequest(
                task_id=task.id,
                unit_id=task.lead_unit_id,
                requested_by_id=leader.id,
                due_date=due,
                text=f"Giải trình việc chậm thực hiện {code}",
                created_at=at(made),
                answered_at=at(answered) if answered else None,
                answered_on=answered,
                answered_by_id=None,
                answer="Đã giải trình" if answered else "",
            )
        )
    await session.flush()
