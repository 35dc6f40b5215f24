"""single-use mailed tokens: confirm the email address, reset the password

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "action_tokens",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Uuid(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("purpose", sa.Text(), nullable=False),
        # SHA-256 (hex) of the secret; the secret itself is never stored.
        sa.Column("token_hash", sa.Text(), nullable=False, unique=True),
        # The address the token was mailed to: it works only while the account still has it.
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('verify_email', 'reset_password')", name="ck_action_tokens_purpose"
        ),
    )
    # A new token retires the user's unused ones of its purpose; the cascade of a deletion.
    op.create_index(
        "ix_action_tokens_unused",
        "action_tokens",
        ["user_id", "purpose"],
        postgresql_where=sa.text("used_at IS NULL"),
    )
    op.create_index("ix_action_tokens_expires_at", "action_tokens", ["expires_at"])


def downgrade() -> None:
    op.drop_table("action_tokens")
