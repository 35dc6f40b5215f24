"""identities at outside providers linked to accounts; the provider a refresh-token family
signed in through

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # By (issuer, subject), the provider's own stable name for the person: an address can
    # change hands at the provider, a subject cannot.
    op.create_table(
        "linked_identities",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Uuid(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("issuer", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("email", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("issuer", "subject", name="uq_linked_identities_issuer_subject"),
    )
    op.create_index("ix_linked_identities_user_id", "linked_identities", ["user_id"])
    op.add_column("refresh_tokens", sa.Column("provider", sa.Text()))


def downgrade() -> None:
    op.drop_column("refresh_tokens", "provider")
    op.drop_index("ix_linked_identities_user_id", table_name="linked_identities")
    op.drop_table("linked_identities")
