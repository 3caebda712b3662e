"""response: a covering index for item analysis instead of the unused per-question one

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 08:45:00
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index("ix_response_question")
        batch_op.create_index(
            "ix_response_attempt_cover",
            ["attempt_id", "question_id", "revision", "answer", "correct"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index("ix_response_attempt_cover")
        batch_op.create_index("ix_response_question", ["question_id", "revision"], unique=False)
