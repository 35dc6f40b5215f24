"""administration: roles and disabled accounts; indexes for the administrators' search

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_UNIQUE_LOWER = ("username", "email")


def upgrade() -> None:
    # Granted by `ops/admin users grant-admin` only; no API path sets them.
    op.add_column(
        "users", sa.Column("roles", ARRAY(sa.Text()), nullable=False, server_default="{}")
    )
    # Set while an administrator has turned sign-in off for the account.
    op.add_column("users", sa.Column("disabled_at", sa.DateTime(timezone=True)))
    # The unique indexes on lower(username) and lower(email) again, with the pattern operator
    # class: besides the equality of uniqueness and sign-in they then serve the prefix search
    # (LIKE 'abc%') whatever the database's collation, with no second index on each column to
    # maintain at every sign-up. Rebuilding them locks writes to users for the build (seconds
    # per million rows).
    for column in _UNIQUE_LOWER:
        _recreate_unique_lower(column, "text_pattern_ops")
        # Whether a prefix is rare (collect its rows, sort them) or common (walk the list's
        # order until a page is full) is judged from these statistics. At the default 100
        # histogram buckets a 3-character prefix of a million addresses was estimated at 1% of
        # them (10,000 rows for some 250) and walked the whole order: 370 ms instead of 5.
        op.execute(f"ALTER INDEX uq_users_{column}_lower ALTER COLUMN 1 SET STATISTICS 1000")
    # The administrators' list: newest first, paged by a key that never changes.
    op.create_index("ix_users_created_at_id", "users", ["created_at", "id"])
    # Disabled accounts are few: their list must not walk every account to find them.
    op.create_index(
        "ix_users_disabled",
        "users",
        ["created_at", "id"],
        postgresql_where=sa.text("disabled_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_users_disabled", table_name="users")
    op.drop_index("ix_users_created_at_id", table_name="users")
    for column in _UNIQUE_LOWER:
        _recreate_unique_lower(column, None)
    op.drop_column("users", "disabled_at")
    op.drop_column("users", "roles")


def _recreate_unique_lower(column: str, operator_class: str | None) -> None:
    name = f"uq_users_{column}_lower"
    op.drop_index(name, table_name="users")
    opclass = f" {operator_class}" if operator_class else ""
    op.execute(f"CREATE UNIQUE INDEX {name} ON users (lower({column}){opclass})")
