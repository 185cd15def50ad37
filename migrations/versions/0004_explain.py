"""explanation requests (yêu cầu giải trình)

Revision ID: 0004_explain
Revises: 0003_people
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.models

revision: str = "0004_explain"
down_revision: str | None = "0003_people"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "explanation_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", bot.models.UTCDateTime(), nullable=False),
        sa.Column("answered_at", bot.models.UTCDateTime(), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
            name="fk_explanation_requests_task_id_tasks",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name="fk_explanation_requests_unit_id_units"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["officials.id"],
            name="fk_explanation_requests_requested_by_id_officials",
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["officials.id"],
            name="fk_explanation_requests_answered_by_id_officials",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_explanation_requests"),
    )
    op.create_index(
        "ix_explanation_requests_task_id", "explanation_requests", ["task_id"], unique=False
    )
    op.create_index(
        "ix_explanation_requests_open",
        "explanation_requests",
        ["answered_at", "unit_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_explanation_requests_open", table_name="explanation_requests")
    op.drop_index("ix_explanation_requests_task_id", table_name="explanation_requests")
    op.drop_table("explanation_requests")
