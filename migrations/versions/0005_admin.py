"""task state: suspended (tạm dừng) or withdrawn (rút nhiệm vụ), with reason, when and by whom

Revision ID: 0005_admin
Revises: 0004_explain
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.models

revision: str = "0005_admin"
down_revision: str | None = "0004_explain"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(
            sa.Column(
                "state",
                sa.Enum(
                    "active",
                    "suspended",
                    "withdrawn",
                    name="taskstate",
                    native_enum=False,
                    length=16,
                ),
                server_default="active",
                nullable=False,
            )
        )
        batch.add_column(sa.Column("state_reason", sa.Text(), server_default="", nullable=False))
        batch.add_column(
            sa.Column("state_changed_at", bot.models.UTCDateTime(), nullable=True)
        )
        batch.add_column(sa.Column("state_changed_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_tasks_state_changed_by_id_officials",
            "officials",
            ["state_changed_by_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_constraint("fk_tasks_state_changed_by_id_officials", type_="foreignkey")
        batch.drop_column("state_changed_by_id")
        batch.drop_column("state_changed_at")
        batch.drop_column("state_reason")
        batch.drop_column("state")
