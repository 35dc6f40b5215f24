"""The database schema as SQLAlchemy Core tables; Alembic migrations create it."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("username", Text, nullable=False),
    Column("email", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("email_verified", Boolean, nullable=False, server_default="false"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("email_status", Text, nullable=False, server_default="unchecked"),
    Column("email_status_at", DateTime(timezone=True)),
    Column("token_version", Integer, nullable=False, server_default="0"),
    Column("pending_email", Text),
    Column("pending_email_status", Text),
    # Granted by the operators' command line only.
    Column("roles", ARRAY(Text), nullable=False, server_default="{}"),
    Column("disabled_at", DateTime(timezone=True)),
)
# Uniqueness is case-insensitive and decided here, by the database, so that concurrent
# registrations cannot both succeed. The pattern operator class serves both the equality of a
# sign-in and the prefix (LIKE 'abc%') of the administrators' search, whatever the collation.
Index(
    "uq_users_username_lower",
    func.lower(users.c.username).label("username_lower"),
    unique=True,
    postgresql_ops={"username_lower": "text_pattern_ops"},
)
Index(
    "uq_users_email_lower",
    func.lower(users.c.email).label("email_lower"),
    unique=True,
    postgresql_ops={"email_lower": "text_pattern_ops"},
)
# The administrators' list, newest first, paged by (created_at, id): a key that never changes,
# so sign-ups and renames during the paging neither repeat nor skip an account.
Index("ix_users_created_at_id", users.c.created_at, users.c.id)
Index(
    "ix_users_disabled",
    users.c.created_at,
    users.c.id,
    postgresql_where=text("disabled_at IS NOT NULL"),
)
Index(
    "ix_users_email_status_at",
    users.c.email_status,
    users.c.email_status_at,
    postgresql_where=text("email_status IN ('pending', 'rejected')"),
)

UNIQUE_FIELDS = {"uq_users_username_lower": "username", "uq_users_email_lower": "email"}

# Lifecycle events waiting for the relay, written in the transaction of the change.
outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("type", Text, nullable=False),
    Column("user_id", Uuid, nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True)),
)
Index(
    "ix_outbox_unpublished",
    outbox.c.id,
    postgresql_where=text("published_at IS NULL"),
)

# Events whose mail was sent by the consumer (its idempotency record).
processed_events = Table(
    "processed_events",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Refresh tokens by the SHA-256 of their secret. Rows go with their user.
refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("family_id", Uuid, nullable=False, index=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("token_version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    # The family's password sign-in, copied to every successor: the family's lifetime counts
    # from it, and access tokens carry it.
    Column("auth_time", DateTime(timezone=True), nullable=False),
    # Set with revoked_at when a use rotated the token (a logout or a detected reuse leaves
    # them unset): a second use within the grace period gets the successor `replaced_by` again.
    Column("rotated_at", DateTime(timezone=True)),
    Column("replaced_by", Uuid),
)
Index("ix_refresh_tokens_expires_at", refresh_tokens.c.expires_at)

# Single-use mailed tokens (confirm the address, reset the password) by the SHA-256 of their
# secret. Rows go with their user.
action_tokens = Table(
    "action_tokens",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("email", Text, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index(
    "ix_action_tokens_unused",
    action_tokens.c.user_id,
    action_tokens.c.purpose,
    postgresql_where=text("used_at IS NULL"),
)
Index("ix_action_tokens_expires_at", action_tokens.c.expires_at)
