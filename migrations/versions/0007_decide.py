"""extension decisions with another date and a comment

Revision ID: 0007_decide
Revises: 0006_advice
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_decide"
down_revision: str | None = "0006_advice"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("extension_requests") as batch_op:
        batch_op.add_column(sa.Column("decided_deadline", sa.Date(), nullable=True))
    with op.batch_alter_table("deadline_changes") as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))
    # Approved requests so far set the requested date.
    op.execute(
        "UPDATE extension_requests SET decided_deadline = new_deadline WHERE status = 'approved'"
    )


def downgrade() -> None:
    with op.batch_alter_table("deadline_changes") as batch_op:
        batch_op.drop_column("note")
    with op.batch_alter_table("extension_requests") as batch_op:
        batch_op.drop_column("decided_deadline")
