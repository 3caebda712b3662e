"""LTI: platforms, the tool's keys, logins and launches, LMS users and courses, resource
links and the score outbox; instructors from an LMS have no email or password, and a course's
class has staff rather than one owner

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 08:42:57
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lti_key",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("private_pem", sa.Text(), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signs_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unpublish_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kid"),
    )
    op.create_table(
        "lti_platform",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("auth_login_url", sa.String(length=1000), nullable=False),
        sa.Column("auth_token_url", sa.String(length=1000), nullable=False),
        sa.Column("key_set_url", sa.String(length=1000), nullable=False),
        sa.Column("auth_audience", sa.String(length=1000), nullable=True),
        sa.Column("key_set", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer", "client_id", name="uq_lti_platform_client"),
    )
    op.create_table(
        "lti_deployment",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["platform_id"], ["lti_platform.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("platform_id", "deployment_id"),
    )
    op.create_table(
        "lti_launch",
        sa.Column("id", sa.String(length=43), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("claims", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["platform_id"], ["lti_platform.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "lti_login",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("storage_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["platform_id"], ["lti_platform.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("state_hash"),
        sa.UniqueConstraint("nonce"),
    )
    op.create_table(
        "lti_token",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("scopes", sa.String(length=1000), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["platform_id"], ["lti_platform.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("platform_id", "scopes"),
    )
    op.create_table(
        "lti_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("sub", sa.String(length=255), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=True),
        sa.Column("instructor_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.ForeignKeyConstraint(["instructor_id"], ["instructor.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["learner_id"], ["learner.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["platform_id"], ["lti_platform.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform_id", "sub", name="uq_lti_user_sub"),
    )
    with op.batch_alter_table("lti_user", schema=None) as batch_op:
        batch_op.create_index("ix_lti_user_learner", ["learner_id"], unique=False)

    op.create_table(
        "classroom_staff",
        sa.Column("classroom_id", sa.Integer(), nullable=False),
        sa.Column("instructor_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["classroom_id"], ["classroom.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["instructor_id"], ["instructor.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("classroom_id", "instructor_id"),
    )
    op.create_table(
        "lti_context",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("context_id", sa.String(length=255), nullable=False),
        sa.Column("classroom_id", sa.Integer(), nullable=False),
        sa.Column("memberships_url", sa.String(length=1000), nullable=True),
        sa.Column("roster", sa.JSON(), nullable=True),
        sa.Column("roster_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("roster_tried_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("roster_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["classroom_id"], ["classroom.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["platform_id"], ["lti_platform.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform_id", "context_id", name="uq_lti_context"),
    )
    with op.batch_alter_table("lti_context", schema=None) as batch_op:
        batch_op.create_index("ix_lti_context_classroom", ["classroom_id"], unique=False)

    op.create_table(
        "lti_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("context_id", sa.Integer(), nullable=False),
        sa.Column("resource_link_id", sa.String(length=255), nullable=False),
        sa.Column("bank_id", sa.String(length=80), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("lineitem_url", sa.String(length=1000), nullable=True),
        sa.Column("ags_scopes", sa.JSON(), nullable=True),
        sa.Column("policy", sa.String(length=10), server_default="best", nullable=False),
        sa.ForeignKeyConstraint(["context_id"], ["lti_context.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("context_id", "resource_link_id", name="uq_lti_link"),
    )
    op.create_table(
        "lti_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.String(length=32), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("score_given", sa.Float(), nullable=False),
        sa.Column("score_maximum", sa.Float(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tries", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempt.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["link_id"], ["lti_link.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["lti_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("attempt_id", "link_id", name="uq_lti_score_attempt_link"),
    )
    with op.batch_alter_table("lti_score", schema=None) as batch_op:
        batch_op.create_index("ix_lti_score_due", ["sent_at", "next_try_at"], unique=False)

    with op.batch_alter_table("classroom", schema=None) as batch_op:
        batch_op.alter_column("instructor_id", existing_type=sa.INTEGER(), nullable=True)

    with op.batch_alter_table("instructor", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=120), nullable=True))
        batch_op.alter_column("email", existing_type=sa.VARCHAR(length=254), nullable=True)
        batch_op.alter_column("password_hash", existing_type=sa.VARCHAR(length=256), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("instructor", schema=None) as batch_op:
        batch_op.alter_column("password_hash", existing_type=sa.VARCHAR(length=256), nullable=False)
        batch_op.alter_column("email", existing_type=sa.VARCHAR(length=254), nullable=False)
        batch_op.drop_column("name")

    with op.batch_alter_table("classroom", schema=None) as batch_op:
        batch_op.alter_column("instructor_id", existing_type=sa.INTEGER(), nullable=False)

    with op.batch_alter_table("lti_score", schema=None) as batch_op:
        batch_op.drop_index("ix_lti_score_due")

    op.drop_table("lti_score")
    op.drop_table("lti_link")
    with op.batch_alter_table("lti_context", schema=None) as batch_op:
        batch_op.drop_index("ix_lti_context_classroom")

    op.drop_table("lti_context")
    op.drop_table("classroom_staff")
    with op.batch_alter_table("lti_user", schema=None) as batch_op:
        batch_op.drop_index("ix_lti_user_learner")

    op.drop_table("lti_user")
    op.drop_table("lti_token")
    op.drop_table("lti_login")
    op.drop_table("lti_launch")
    op.drop_table("lti_deployment")
    op.drop_table("lti_platform")
    op.drop_table("lti_key")
