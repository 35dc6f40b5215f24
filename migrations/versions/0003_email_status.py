"""email reputation status

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("email_status", sa.Text(), nullable=False, server_default="unchecked"),
    )
    op.add_column("users", sa.Column("email_status_at", sa.DateTime(timezone=True)))
    # Housekeeping looks only at pending and rejected addresses, by age.
    op.create_index(
        "ix_users_email_status_at",
        "users",
        ["email_status", "email_status_at"],
        postgresql_where=sa.text("email_status IN ('pending', 'rejected')"),
    )


def downgrade() -> None:
    op.drop_index("ix_users_email_status_at", "users")
    op.drop_column("users", "email_status_at")
    op.drop_column("users", "email_status")
