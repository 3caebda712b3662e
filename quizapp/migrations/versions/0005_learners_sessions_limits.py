"""learners with devices, instructor session versions, shared rate limits

Every browser token seen so far becomes a learner with that one device, so a learner whose
browser still holds its token keeps every attempt and class membership.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 07:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("way_back_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("legacy_owner", sa.String(length=64), nullable=True),  # dropped below
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("way_back_hash"),
    )
    op.create_table(
        "learner_device",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learner.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_learner_device_learner", "learner_device", ["learner_id"])
    op.create_table(
        "rate_limit",
        sa.Column("bucket", sa.String(length=300), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("bucket"),
    )
    with op.batch_alter_table("instructor") as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="0", nullable=False)
        )

    op.execute(
        "INSERT INTO learner (legacy_owner, created_at) SELECT owner, MIN(at) FROM "
        "(SELECT owner, started_at AS at FROM attempt UNION ALL "
        "SELECT owner, joined_at AS at FROM member) AS seen GROUP BY owner"
    )
    op.execute(
        "INSERT INTO learner_device (token_hash, learner_id, created_at) "
        "SELECT legacy_owner, id, created_at FROM learner"
    )
    for table in ("attempt", "member"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("learner_id", sa.Integer(), nullable=True))
        op.execute(
            f"UPDATE {table} SET learner_id = "
            f"(SELECT id FROM learner WHERE legacy_owner = {table}.owner)"
        )

    with op.batch_alter_table("attempt") as batch_op:
        batch_op.drop_index("ix_attempt_owner_bank")
        batch_op.alter_column("learner_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            "fk_attempt_learner", "learner", ["learner_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_index("ix_attempt_learner_bank", ["learner_id", "bank_id"])
        batch_op.drop_column("owner")
    with op.batch_alter_table("member") as batch_op:
        batch_op.drop_constraint("uq_member_classroom_owner", type_="unique")
        batch_op.alter_column("learner_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            "fk_member_learner", "learner", ["learner_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_unique_constraint(
            "uq_member_classroom_learner", ["classroom_id", "learner_id"]
        )
        batch_op.drop_column("owner")
    with op.batch_alter_table("learner") as batch_op:
        batch_op.drop_column("legacy_owner")


def downgrade() -> None:
    for table in ("attempt", "member"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("owner", sa.String(length=64), nullable=True))
        op.execute(
            f"UPDATE {table} SET owner = (SELECT MIN(token_hash) FROM learner_device "
            f"WHERE learner_device.learner_id = {table}.learner_id)"
        )
    with op.batch_alter_table("member") as batch_op:
        batch_op.drop_constraint("uq_member_classroom_learner", type_="unique")
        batch_op.drop_constraint("fk_member_learner", type_="foreignkey")
        batch_op.drop_column("learner_id")
        batch_op.create_unique_constraint("uq_member_classroom_owner", ["classroom_id", "owner"])
    with op.batch_alter_table("attempt") as batch_op:
        batch_op.drop_index("ix_attempt_learner_bank")
        batch_op.drop_constraint("fk_attempt_learner", type_="foreignkey")
        batch_op.drop_column("learner_id")
        batch_op.create_index("ix_attempt_owner_bank", ["owner", "bank_id"])
    with op.batch_alter_table("instructor") as batch_op:
        batch_op.drop_column("session_version")
    op.drop_table("rate_limit")
    op.drop_index("ix_learner_device_learner", table_name="learner_device")
    op.drop_table("learner_device")
    op.drop_table("learner")
