"""instructors, classes and members

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 08:33:53.439561
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "instructor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "classroom",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instructor_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("join_code", sa.String(length=12), nullable=False),
        sa.Column("joining_open", sa.Boolean(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["instructor_id"], ["instructor.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("join_code"),
    )
    with op.batch_alter_table("classroom", schema=None) as batch_op:
        batch_op.create_index("ix_classroom_instructor", ["instructor_id"], unique=False)

    op.create_table(
        "classroom_quiz",
        sa.Column("classroom_id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["classroom_id"], ["classroom.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("classroom_id", "bank_id"),
    )
    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("classroom_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["classroom_id"], ["classroom.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("classroom_id", "owner", name="uq_member_classroom_owner"),
    )
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("member_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("question_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("correct_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_index("ix_attempt_bank_finished", ["bank_id", "finished_at"], unique=False)
        batch_op.create_index("ix_attempt_member_bank", ["member_id", "bank_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_attempt_member", "member", ["member_id"], ["id"], ondelete="SET NULL"
        )

    # attempts started before this revision: count their statements and right answers
    op.execute(
        "UPDATE attempt SET "
        "question_count = (SELECT count(*) FROM attempt_item WHERE attempt_id = attempt.id), "
        "correct_count = (SELECT count(*) FROM response WHERE attempt_id = attempt.id AND correct)"
    )


def downgrade() -> None:
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.drop_constraint("fk_attempt_member", type_="foreignkey")
        batch_op.drop_index("ix_attempt_member_bank")
        batch_op.drop_index("ix_attempt_bank_finished")
        batch_op.drop_column("correct_count")
        batch_op.drop_column("question_count")
        batch_op.drop_column("member_id")

    op.drop_table("member")
    op.drop_table("classroom_quiz")
    with op.batch_alter_table("classroom", schema=None) as batch_op:
        batch_op.drop_index("ix_classroom_instructor")

    op.drop_table("classroom")
    op.drop_table("instructor")
