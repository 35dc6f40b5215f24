"""mfa_challenges: the provider whose sign-in the second step completes (none: the password's)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-11
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("mfa_challenges", sa.Column("provider", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("mfa_challenges", "provider")
