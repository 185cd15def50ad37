"""people in charge of a task: the leader in charge and the handling official

Revision ID: 0003_people
Revises: 0002_eval
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_people"
down_revision: str | None = "0002_eval"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.add_column(sa.Column("leader_in_charge_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("handler_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_tasks_leader_in_charge_id_officials", "officials", ["leader_in_charge_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_tasks_handler_id_officials", "officials", ["handler_id"], ["id"]
        )
        batch_op.create_index("ix_tasks_leader_in_charge_id", ["leader_in_charge_id"])
        batch_op.create_index("ix_tasks_handler_id", ["handler_id"])


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.drop_index("ix_tasks_handler_id")
        batch_op.drop_index("ix_tasks_leader_in_charge_id")
        batch_op.drop_constraint("fk_tasks_handler_id_officials", type_="foreignkey")
        batch_op.drop_constraint("fk_tasks_leader_in_charge_id_officials", type_="foreignkey")
        batch_op.drop_column("handler_id")
        batch_op.drop_column("leader_in_charge_id")
