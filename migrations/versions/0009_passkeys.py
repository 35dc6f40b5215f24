"""passkeys: users' WebAuthn credentials and the single-use challenges of their ceremonies

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "passkeys",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Uuid(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("credential_id", postgresql.BYTEA(), nullable=False),
        # The credential's public key as a COSE_Key; no secret of the authenticator is stored.
        sa.Column("public_key", postgresql.BYTEA(), nullable=False),
        # The authenticator's signature counter (32 bits unsigned, hence bigint); 0 when it
        # does not count.
        sa.Column("sign_count", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column(
            "transports",
            postgresql.ARRAY(sa.Text()),
            nullable=False,
            server_default=sa.text("'{}'::text[]"),
        ),
        sa.Column("name", sa.Text(), nullable=False),
        # The authenticator's model as it says (all zeros for "none" attestation, often).
        sa.Column("aaguid", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
        sa.Column("backup_eligible", sa.Boolean(), nullable=False, server_default="false"),
        sa.Column("backed_up", sa.Boolean(), nullable=False, server_default="false"),
        # An authenticator is registered to one account only, once.
        sa.UniqueConstraint("credential_id", name="uq_passkeys_credential_id"),
    )
    op.create_index("ix_passkeys_user_id", "passkeys", ["user_id"])

    op.create_table(
        "webauthn_challenges",
        sa.Column("id", sa.Uuid(), primary_key=True),
        # None for a discoverable sign-in, where the passkey that answers says whose it is.
        sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE")),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("challenge", postgresql.BYTEA(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint(
            "purpose IN ('register', 'sign_in', 'second_step', 'step_up')",
            name="ck_webauthn_challenges_purpose",
        ),
    )
    # Housekeeping deletes expired challenges by this.
    op.create_index("ix_webauthn_challenges_expires_at", "webauthn_challenges", ["expires_at"])


def downgrade() -> None:
    op.drop_table("webauthn_challenges")
    op.drop_table("passkeys")
