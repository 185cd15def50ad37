"""recommendations (kiến nghị) and directions (ý kiến chỉ đạo)

Revision ID: 0006_advice
Revises: 0005_admin
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.models

revision: str = "0006_advice"
down_revision: str | None = "0005_admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", bot.models.UTCDateTime(), nullable=False),
        sa.Column("answered_at", bot.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name="fk_recommendations_task_id_tasks", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name="fk_recommendations_report_id_reports",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"], ["officials.id"], name="fk_recommendations_raised_by_id_officials"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_recommendations"),
    )
    op.create_index("ix_recommendations_task_id", "recommendations", ["task_id"], unique=False)
    op.create_index(
        "ix_recommendations_pending", "recommendations", ["answered_at", "task_id"], unique=False
    )
    op.create_table(
        "directions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=True),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", bot.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name="fk_directions_task_id_tasks", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name="fk_directions_recommendation_id_recommendations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["leader_id"], ["officials.id"], name="fk_directions_leader_id_officials"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_directions"),
    )
    op.create_index("ix_directions_task_id", "directions", ["task_id"], unique=False)
    op.create_index(
        "ix_directions_recommendation_id", "directions", ["recommendation_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_directions_recommendation_id", table_name="directions")
    op.drop_index("ix_directions_task_id", table_name="directions")
    op.drop_table("directions")
    op.drop_index("ix_recommendations_pending", table_name="recommendations")
    op.drop_index("ix_recommendations_task_id", table_name="recommendations")
    op.drop_table("recommendations")
