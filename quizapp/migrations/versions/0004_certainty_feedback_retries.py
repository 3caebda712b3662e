"""certainty, feedback timing and retries

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 08:47:35.344658
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retry_of", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("feedback", sa.String(length=10), server_default="immediate", nullable=False)
        )
        batch_op.add_column(
            sa.Column("certainty", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_foreign_key(
            "fk_attempt_retry_of", "attempt", ["retry_of"], ["id"], ondelete="SET NULL"
        )

    with op.batch_alter_table("classroom", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feedback", sa.String(length=10), nullable=True))

    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("certainty", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_column("certainty")

    with op.batch_alter_table("classroom", schema=None) as batch_op:
        batch_op.drop_column("feedback")

    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.drop_constraint("fk_attempt_retry_of", type_="foreignkey")
        batch_op.drop_column("certainty")
        batch_op.drop_column("feedback")
        batch_op.drop_column("retry_of")
