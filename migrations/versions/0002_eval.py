"""evaluation: unit kind, daily status snapshots

Revision ID: 0002_eval
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.models

revision: str = "0002_eval"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("units") as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum(
                    "department",
                    "commune",
                    "other",
                    name="unitkind",
                    native_enum=False,
                    length=16,
                ),
                server_default="other",
                nullable=False,
            )
        )


    op.create_table(
        "status_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("done_on_time", sa.Integer(), nullable=False),
        sa.Column("done_late", sa.Integer(), nullable=False),
        sa.Column("in_progress", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.Column("with_deadline", sa.Integer(), nullable=False),
        sa.Column("created_at", bot.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_status_snapshots_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_snapshots")),
        sa.UniqueConstraint("unit_id", "day", name=op.f("uq_status_snapshots_unit_id_day")),
    )
    with op.batch_alter_table("status_snapshots") as batch_op:
        batch_op.create_index(batch_op.f("ix_status_snapshots_day"), ["day"], unique=False)


def downgrade() -> None:
    op.drop_table("status_snapshots")
    with op.batch_alter_table("units") as batch_op:
        batch_op.drop_column("kind")
