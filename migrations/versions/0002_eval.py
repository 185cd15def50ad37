"""evaluation: unit kind

Revision ID: 0002_eval
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

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


def downgrade() -> None:
    with op.batch_alter_table("units") as batch_op:
        batch_op.drop_column("kind")
