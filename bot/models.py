"""SQLAlchemy 2 ORM models: the database is the store of record for everything.

Times are stored as UTC (``UTCDateTime``); dates (deadlines, reminder days) are local calendar
dates in the configured timezone.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
    }


class Role(enum.StrEnum):
    STAFF = "staff"
    HEAD = "head"
    LEADER = "leader"
    ADMIN = "admin"


class Channel(enum.StrEnum):
    TELEGRAM = "telegram"
    ZALO = "zalo"
    WEB = "web"


class Priority(enum.StrEnum):
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class UnitKind(enum.StrEnum):
    """How the city reports a unit: a city department (sở, ban, văn phòng), a commune-level
    unit (phường, xã, đặc khu), or anything else."""

    DEPARTMENT = "department"
    COMMUNE = "commune"
    OTHER = "other"


class TaskState(enum.StrEnum):
    """Whether a task is being carried out. VPCP's words: a task may be suspended (tạm dừng)
    or withdrawn (rút nhiệm vụ), always with a reason; either can be reopened."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


class ExtensionStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ReportKind(enum.StrEnum):
    PROGRESS = "progress"
    DONE = "done"
    NOTE = "note"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(
        cls,
        native_enum=False,
        length=16,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


task_coordinators = Table(
    "task_coordinators",
    Base.metadata,
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Unit(Base):
    """A department, board or commune-level body (đơn vị)."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[UnitKind] = mapped_column(
        _enum(UnitKind), default=UnitKind.OTHER, server_default=UnitKind.OTHER.value
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    head_id: Mapped[int | None] = mapped_column(
        ForeignKey("officials.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime]

    parent: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    head: Mapped[Official | None] = relationship(foreign_keys=[head_id], post_update=True)


class Official(Base):
    """A person: staff official, unit head, leader or secretariat admin."""

    __tablename__ = "officials"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.STAFF)
    language: Mapped[str] = mapped_column(String(8), default="vi")
    phone: Mapped[str | None] = mapped_column(String(32))
    notify_channels: Mapped[str | None] = mapped_column(
        String(64), doc="Comma-separated channels for reminders; NULL means every linked one"
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime]

    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])
    identities: Mapped[list[ChannelIdentity]] = relationship(back_populates="official")


class ChannelIdentity(Base):
    """One chat account (Telegram user, Zalo user, web user) linked to an official."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "external_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), index=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    external_user_id: Mapped[str] = mapped_column(String(128))
    chat_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime]
    deactivated_at: Mapped[dt.datetime | None]

    official: Mapped[Official] = relationship(back_populates="identities")


class GroupBinding(Base):
    """A group chat bound to a unit, so the unit's reminders can go to the group."""

    __tablename__ = "group_bindings"
    __table_args__ = (UniqueConstraint("channel", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    chat_id: Mapped[str] = mapped_column(String(128))
    title: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime]

    unit: Mapped[Unit] = relationship()


class InviteCode(Base):
    """Single-use, expiring code that links a chat account to an official (or a group to a unit).

    Only the SHA-256 of the code is stored.
    """

    __tablename__ = "invite_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    used_by: Mapped[str | None] = mapped_column(String(160))

    official: Mapped[Official | None] = relationship()
    unit: Mapped[Unit | None] = relationship()


class InviteFailure(Base):
    """A wrong invite code tried by one chat account; used to throttle guessing."""

    __tablename__ = "invite_failures"
    __table_args__ = (Index("ix_invite_failures_who", "channel", "external_user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    external_user_id: Mapped[str] = mapped_column(String(128))
    at: Mapped[dt.datetime]


class Task(Base):
    """An assigned task (nhiệm vụ). Progress and completion are updated with each report."""

    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_open_deadline", "completed_at", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    source_document: Mapped[str] = mapped_column(String(255), default="")
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    assigned_by_name: Mapped[str] = mapped_column(String(255), default="")
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    leader_in_charge_id: Mapped[int | None] = mapped_column(
        ForeignKey("officials.id"), index=True, doc="Lãnh đạo phụ trách: the leader overseeing it"
    )
    handler_id: Mapped[int | None] = mapped_column(
        ForeignKey("officials.id"), index=True, doc="Cán bộ thụ lý: who handles it in the lead unit"
    )
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    original_deadline: Mapped[dt.date | None] = mapped_column(Date)
    expected_output: Mapped[str] = mapped_column(String(255), default="")
    priority: Mapped[Priority] = mapped_column(_enum(Priority), default=Priority.NORMAL)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[dt.datetime | None]
    completed_on: Mapped[dt.date | None] = mapped_column(
        Date, doc="Local calendar date of completion; compared with the deadline"
    )
    last_report_at: Mapped[dt.datetime | None]
    state: Mapped[TaskState] = mapped_column(
        _enum(TaskState),
        default=TaskState.ACTIVE,
        server_default=TaskState.ACTIVE.value,
        doc="Suspended and withdrawn tasks get no reminders and are not counted",
    )
    state_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    state_changed_at: Mapped[dt.datetime | None]
    state_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    lead_unit: Mapped[Unit] = relationship(foreign_keys=[lead_unit_id])
    assigned_by: Mapped[Official | None] = relationship(foreign_keys=[assigned_by_id])
    leader_in_charge: Mapped[Official | None] = relationship(foreign_keys=[leader_in_charge_id])
    handler: Mapped[Official | None] = relationship(foreign_keys=[handler_id])
    coordinating_units: Mapped[list[Unit]] = relationship(secondary=task_coordinators)
    state_changed_by: Mapped[Official | None] = relationship(foreign_keys=[state_changed_by_id])


TASK_ACTIVE = Task.state == TaskState.ACTIVE
"""The condition every reminder, count, listing and scorecard puts on tasks: suspended and
withdrawn tasks are left out (the task page and the "tạm dừng / đã rút" counts show them)."""


class DeadlineChange(Base):
    """History of a task's deadline (approved extensions, re-imports)."""

    __tablename__ = "deadline_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    old_deadline: Mapped[dt.date | None] = mapped_column(Date)
    new_deadline: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    extension_request_id: Mapped[int | None] = mapped_column(ForeignKey("extension_requests.id"))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    changed_at: Mapped[dt.datetime]


class Report(Base):
    """A progress report (báo cáo tiến độ). Append-only."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("channel", "source_message_id"),
        Index("ix_reports_task_created", "task_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"), index=True)
    kind: Mapped[ReportKind] = mapped_column(_enum(ReportKind), default=ReportKind.PROGRESS)
    progress: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(16))
    source_message_id: Mapped[str | None] = mapped_column(String(160))
    created_at: Mapped[dt.datetime]

    task: Mapped[Task] = relationship()
    official: Mapped[Official | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="report", cascade="all, delete-orphan"
    )


class Attachment(Base):
    """The output document of a report: a channel file id or a URL."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), default="document")
    file_id: Mapped[str | None] = mapped_column(String(255))
    url: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(String(255))
    mime: Mapped[str | None] = mapped_column(String(128))
    size: Mapped[int | None] = mapped_column(Integer)

    report: Mapped[Report] = relationship(back_populates="attachments")


class ExtensionRequest(Base):
    """Đề nghị gia hạn: a new date and a reason, decided by a leader."""

    __tablename__ = "extension_requests"
    __table_args__ = (Index("ix_extension_requests_task_status", "task_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("officials.id"))
    old_deadline: Mapped[dt.date | None] = mapped_column(Date)
    new_deadline: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ExtensionStatus] = mapped_column(
        _enum(ExtensionStatus), default=ExtensionStatus.PENDING
    )
    requested_at: Mapped[dt.datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    decided_at: Mapped[dt.datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")

    task: Mapped[Task] = relationship()
    requested_by: Mapped[Official] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[Official | None] = relationship(foreign_keys=[decided_by_id])


class ExplanationRequest(Base):
    """Yêu cầu giải trình: a leader or the office asks the lead unit to explain an overdue task
    by ``due_date``; open until the unit answers (``answered_at``)."""

    __tablename__ = "explanation_requests"
    __table_args__ = (Index("ix_explanation_requests_open", "answered_at", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), doc="The unit asked to explain")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("officials.id"))
    due_date: Mapped[dt.date] = mapped_column(Date, doc="Local date the answer is due")
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    answered_at: Mapped[dt.datetime | None]
    answered_on: Mapped[dt.date | None] = mapped_column(
        Date, doc="Local date of the answer; later than ``due_date`` means answered late"
    )
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    answer: Mapped[str] = mapped_column(Text, default="")

    task: Mapped[Task] = relationship()
    unit: Mapped[Unit] = relationship()
    requested_by: Mapped[Official] = relationship(foreign_keys=[requested_by_id])
    answered_by: Mapped[Official | None] = relationship(foreign_keys=[answered_by_id])


class Recommendation(Base):
    """Vướng mắc, kiến nghị: a difficulty raised with a report that needs a leader; pending
    until a leader answers it with a :class:`Direction` (``answered_at``)."""

    __tablename__ = "recommendations"
    __table_args__ = (Index("ix_recommendations_pending", "answered_at", "task_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id", ondelete="SET NULL"), doc="The report it came with, if any"
    )
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("officials.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    answered_at: Mapped[dt.datetime | None]

    task: Mapped[Task] = relationship()
    raised_by: Mapped[Official] = relationship(foreign_keys=[raised_by_id])
    directions: Mapped[list[Direction]] = relationship(
        back_populates="recommendation", order_by="Direction.id"
    )


class Direction(Base):
    """Ý kiến chỉ đạo: a leader's answer to a recommendation or comment on a task; it reaches
    the lead unit and stays on the task's history."""

    __tablename__ = "directions"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    recommendation_id: Mapped[int | None] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    leader_id: Mapped[int] = mapped_column(ForeignKey("officials.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]

    task: Mapped[Task] = relationship()
    recommendation: Mapped[Recommendation | None] = relationship(back_populates="directions")
    leader: Mapped[Official] = relationship(foreign_keys=[leader_id])


class ConversationState(Base):
    """Where one person is in a multi-step flow, per chat. Survives restarts."""

    __tablename__ = "conversation_states"
    __table_args__ = (UniqueConstraint("channel", "chat_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(String(128))
    flow: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[dt.datetime]


class InboundUpdate(Base):
    """Every processed incoming update, so a redelivered one changes nothing."""

    __tablename__ = "inbound_updates"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_key: Mapped[str] = mapped_column(String(160), primary_key=True)
    processed_at: Mapped[dt.datetime] = mapped_column(index=True)


class OutboxMessage(Base):
    """An outgoing message waiting to be sent (reminders, digests, notices).

    ``dedupe_key`` is unique, e.g. ``reminder:official:12:2025-12-15``: a row can never be
    planned twice. The payload is a neutral message (see ``bot.messages``).
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "not_before", "priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(Integer, default=50)
    payload: Mapped[dict[str, Any]]
    window_day: Mapped[dt.date | None] = mapped_column(Date)
    not_before: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime | None]
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    external_message_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    # Scheduler delivery bookkeeping (scheduler/dispatcher.py).
    parts_sent: Mapped[int] = mapped_column(
        Integer, default=0, doc="Channel messages of this row already delivered (resume point)"
    )
    ambiguous: Mapped[int] = mapped_column(
        Integer, default=0, doc="Sends that timed out after leaving (may have been delivered)"
    )
    shared_payload_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_payloads.id"),
        doc="A payload shared by many rows (OutboxPayload); ``payload`` is then empty",
    )


class DigestLog(Base):
    """One digest sent to one recipient for one period; also keeps the counts for trends."""

    __tablename__ = "digest_log"
    __table_args__ = (UniqueConstraint("recipient_key", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_key: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(32))
    counts: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime]


class StatusSnapshot(Base):
    """The four categories of one unit's tasks (as lead unit) on one day, for trends.

    Written once a day by the scheduler; the unique (unit, day) pair makes it idempotent."""

    __tablename__ = "status_snapshots"
    __table_args__ = (UniqueConstraint("unit_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    done_on_time: Mapped[int] = mapped_column(Integer)
    done_late: Mapped[int] = mapped_column(Integer)
    in_progress: Mapped[int] = mapped_column(Integer)
    overdue: Mapped[int] = mapped_column(Integer)
    with_deadline: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime]


class AuditLog(Base):
    """Every change: who (official and/or channel account), what, to which entity."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    actor: Mapped[str] = mapped_column(String(160), default="")
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


# --- Web dashboard and web chat (bot/web) -------------------------------------------------


class LoginLink(Base):
    """A one-time dashboard login link sent by /dangnhap. Only the SHA-256 of the token is
    stored; it expires after ``login_link_ttl_minutes`` and works once."""

    __tablename__ = "login_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), index=True)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]

    official: Mapped[Official] = relationship()


class WebSession(Base):
    """A dashboard session behind an HttpOnly cookie; only the SHA-256 of the cookie value is
    stored. ``csrf_token`` protects the session's forms."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)

    official: Mapped[Official] = relationship()


class WebMessage(Base):
    """The web chat history of one browser chat: what the person sent (``in``) and every
    message the bot sent there (``out``: replies, reminders, digests). Outgoing messages are
    stored before they are pushed, so one sent while the browser is closed appears on connect.
    ``payload`` is ``{"text": ...}`` for ``in`` and ``Reply.to_dict()`` for ``out``."""

    __tablename__ = "web_messages"
    __table_args__ = (
        UniqueConstraint("chat_id", "client_id"),
        Index("ix_web_messages_chat", "chat_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(128))
    direction: Mapped[str] = mapped_column(String(3))
    client_id: Mapped[str | None] = mapped_column(
        String(64), doc="Browser-generated id of an incoming message (resends are ignored)"
    )
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime]


# --- Scheduler single-run bookkeeping (scheduler/locks.py) -------------------------------------


class OutboxPayload(Base):
    """A message payload stored once for many outbox rows: every member of a unit gets the
    same reminder, and 50,000 copies of it would be 100 MB of writes every morning."""

    __tablename__ = "outbox_payloads"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True, doc="SHA-256 of the payload")
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime]


class JobRun(Base):
    """One completed run of a once-per-period scheduler job (e.g. the planner for one day).

    The unique (job, period) pair makes a run happen once even across restarts and instances.
    """

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(32))
    instance: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[dt.datetime]
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


# --- Images served by URL for channels that fetch them (bot/channels/zalo/media.py) -----------


class PublicMedia(Base):
    """An image the bot serves at ``/media/<name>`` because the channel fetches photos by URL
    (Zalo's sendPhoto takes no uploads). ``name`` is the SHA-256 of the content plus an
    extension: unguessable without the bytes, and the same image stored once. Kept in the
    database so every instance behind a load balancer can serve it; removed after expiry."""

    __tablename__ = "public_media"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    mime: Mapped[str] = mapped_column(String(128))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
