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
    LargeBinary,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA, JSONB

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

UNIQUE_FIELDS = {
    "uq_users_username_lower": "username",
    "uq_users_email_lower": "email",
    "uq_passkeys_credential_id": "passkey",
}

# Events waiting for the relay, written in the transaction of the change. `topic` says which of
# the service's topics a row goes to: "mail" (EVENTS_TOPIC: lifecycle events for the mailer) or
# "public" (PUBLIC_EVENTS_TOPIC: account events for other services).
outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("topic", Text, nullable=False, server_default="mail"),
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
    # How the family's sign-in authenticated (RFC 8176 `amr`), and the provider of an `ext` one.
    Column("amr", ARRAY(Text), nullable=False, server_default="{pwd}"),
    Column("provider", Text),
)
Index("ix_refresh_tokens_expires_at", refresh_tokens.c.expires_at)

# Sessions: one per refresh-token family (sign-in), by the family's id, which access tokens
# carry as `sid`. Kept after they end (NEW_DEVICE_WINDOW after their last use, while tokens of
# theirs remain) to tell a sign-in from a new device. Rows go with their user.
sessions = Table(
    "sessions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Written at most once a minute (LAST_USED_RESOLUTION): most uses only read.
    Column("last_used_at", DateTime(timezone=True), nullable=False),
    Column("ip", Text),
    # The IPv4 address or IPv6 /64 of `ip`, as the lockout judges addresses.
    Column("network", Text),
    Column("device", Text),
    Column("amr", ARRAY(Text), nullable=False),
    # The outside provider of a sign-in with amr ["ext"] (OpenID Connect sign-in).
    Column("provider", Text),
    Column("ended_at", DateTime(timezone=True)),
)
Index("ix_sessions_user_last_used", sessions.c.user_id, sessions.c.last_used_at)

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

# Users' WebAuthn credentials: the public key only. Rows go with their user.
passkeys = Table(
    "passkeys",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("credential_id", BYTEA, nullable=False),
    Column("public_key", BYTEA, nullable=False),
    Column("sign_count", BigInteger, nullable=False),
    Column("transports", ARRAY(Text), nullable=False),
    Column("name", Text, nullable=False),
    Column("aaguid", Uuid, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
    Column("backup_eligible", Boolean, nullable=False),
    Column("backed_up", Boolean, nullable=False),
    UniqueConstraint("credential_id", name="uq_passkeys_credential_id"),
)

# The challenges of passkey ceremonies under way: single-use, a few minutes long.
webauthn_challenges = Table(
    "webauthn_challenges",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE")),
    Column("purpose", Text, nullable=False),
    Column("challenge", BYTEA, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
    Column("used_at", DateTime(timezone=True)),
)

# Users' security events (their audit trail). No foreign key: an account's last events outlive
# it until the retention period prunes them (who deleted it, from where).
audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, nullable=False),
    Column("type", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("ip", Text),
    Column("device", Text),
    Column("details", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
)
# A user's page, newest first, walks this index backwards from the cursor's (at, id).
Index("ix_audit_events_user_at", audit_events.c.user_id, audit_events.c.at, audit_events.c.id)
Index("ix_audit_events_at", audit_events.c.at)

# Each user's TOTP secret, sealed with the key in TOTP_KEY_FILE (never stored here), pending
# until confirmed. Rows go with their user.
totp_credentials = Table(
    "totp_credentials",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("sealed_secret", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("confirmed_at", DateTime(timezone=True)),
    # The time step of the last code accepted: a code is accepted once.
    Column("last_step", BigInteger),
)

# Unused recovery codes by the SHA-256 of the user id and the code; a used one is deleted.
recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("code_hash", Text, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Password steps of sign-ins waiting for their second factor, by the SHA-256 of the mfa_token.
mfa_challenges = Table(
    "mfa_challenges",
    metadata,
    Column("token_hash", Text, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("token_version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
    Column("used_at", DateTime(timezone=True)),
    Column("provider", Text),
)

# Identities at outside providers, by (issuer, subject): never by address. Rows go with their user.
linked_identities = Table(
    "linked_identities",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("issuer", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("provider", Text, nullable=False),
    Column("email", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
    UniqueConstraint("issuer", "subject", name="uq_linked_identities_issuer_subject"),
)
