"""sessions: one row per refresh-token family, listed and ended by its owner

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Uuid(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip", sa.Text()),
        sa.Column("network", sa.Text()),
        sa.Column("device", sa.Text()),
        sa.Column("amr", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("provider", sa.Text()),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
    )
    # A user's sessions (the list, the new-device check) and the cascade of a deleted user.
    op.create_index("ix_sessions_user_last_used", "sessions", ["user_id", "last_used_at"])
    # The families live now become sessions, so that their refreshed access tokens (which carry
    # the family as `sid`) name a live session. Where they signed in from was not kept.
    op.execute(
        """
        INSERT INTO sessions (id, user_id, created_at, last_used_at, amr, provider)
        SELECT DISTINCT ON (family_id) family_id, user_id, auth_time,
               max(created_at) OVER (PARTITION BY family_id), amr, provider
        FROM refresh_tokens AS token
        WHERE EXISTS (
            SELECT 1 FROM refresh_tokens AS live
            WHERE live.family_id = token.family_id
              AND live.revoked_at IS NULL AND live.expires_at > now()
        )
        ORDER BY family_id, created_at DESC
        """
    )


def downgrade() -> None:
    op.drop_table("sessions")
