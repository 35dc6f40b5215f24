"""users' security events (audit trail); outbox rows for the public topic

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No foreign key to users: an account's last events outlive it until they are pruned.
    # `type` is free text, so a new kind of event needs no migration.
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip", sa.Text()),
        sa.Column("device", sa.Text()),
        sa.Column(
            "details", postgresql.JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")
        ),
    )
    # Keyset pagination of one user's events, newest first: (user_id, at, id) read backwards.
    op.create_index("ix_audit_events_user_at", "audit_events", ["user_id", "at", "id"])
    # Pruning by age.
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    # Which topic an outbox row goes to: the mailer's (every row so far) or the public one.
    op.add_column("outbox", sa.Column("topic", sa.Text(), nullable=False, server_default="mail"))
    op.create_check_constraint("ck_outbox_topic", "outbox", "topic IN ('mail', 'public')")


def downgrade() -> None:
    # Unpublished public events would go to the mailer's topic: they go.
    op.execute("DELETE FROM outbox WHERE topic = 'public'")
    op.drop_column("outbox", "topic")
    op.drop_table("audit_events")
