"""pending email change; mailed tokens that cancel or revert an email change

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_PURPOSES_BEFORE = "purpose IN ('verify_email', 'reset_password')"
_PURPOSES = (
    "purpose IN ('verify_email', 'reset_password', 'cancel_email_change', 'revert_email_change')"
)


def upgrade() -> None:
    # An address asked for but not confirmed yet: not a login, recovery or mail address.
    op.add_column("users", sa.Column("pending_email", sa.Text()))
    # What the reputation check said of the pending address; it becomes `email_status`.
    op.add_column("users", sa.Column("pending_email_status", sa.Text()))
    op.drop_constraint("ck_action_tokens_purpose", "action_tokens", type_="check")
    op.create_check_constraint("ck_action_tokens_purpose", "action_tokens", _PURPOSES)


def downgrade() -> None:
    op.execute(
        "DELETE FROM action_tokens WHERE purpose IN ('cancel_email_change', 'revert_email_change')"
    )
    op.drop_constraint("ck_action_tokens_purpose", "action_tokens", type_="check")
    op.create_check_constraint("ck_action_tokens_purpose", "action_tokens", _PURPOSES_BEFORE)
    op.drop_column("users", "pending_email_status")
    op.drop_column("users", "pending_email")
