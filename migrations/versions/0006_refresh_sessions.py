"""refresh-token families: their sign-in time, and which rotation replaced a token

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The sign-in that began the family, copied to every successor. Rows already there get
    # the oldest creation time left in their family: the sign-in itself unless housekeeping
    # pruned it, and never later than it.
    op.add_column("refresh_tokens", sa.Column("auth_time", sa.DateTime(timezone=True)))
    op.execute(
        """
        UPDATE refresh_tokens AS t SET auth_time = f.first_created
        FROM (
            SELECT family_id, min(created_at) AS first_created
            FROM refresh_tokens GROUP BY family_id
        ) AS f
        WHERE t.family_id = f.family_id
        """
    )
    op.alter_column("refresh_tokens", "auth_time", nullable=False)
    # Set when a use rotated the token. Tokens rotated before this revision have neither, so
    # they get no reuse grace: as before, a second use revokes their family.
    op.add_column("refresh_tokens", sa.Column("rotated_at", sa.DateTime(timezone=True)))
    op.add_column("refresh_tokens", sa.Column("replaced_by", sa.Uuid()))


def downgrade() -> None:
    op.drop_column("refresh_tokens", "replaced_by")
    op.drop_column("refresh_tokens", "rotated_at")
    op.drop_column("refresh_tokens", "auth_time")
