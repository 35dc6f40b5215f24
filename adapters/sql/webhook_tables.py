"""The webhooks' tables, on the schema's one MetaData (adapters/sql/tables.py)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY

from adapters.sql.tables import metadata

# Where administrators send account events. The signing secret is sealed with the key in
# WEBHOOK_KEY_FILE (never stored here).
webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("url", Text, nullable=False),
    Column("event_types", ARRAY(Text), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("sealed_secret", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # The administrator who registered it; no foreign key: the endpoint outlives their account.
    Column("created_by", Uuid),
    Column("deactivated_at", DateTime(timezone=True)),
    Column("deactivated_reason", Text),
)

# One event on its way to one endpoint; the body is the event as the public topic carried it.
# Rows go with their endpoint.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column(
        "endpoint_id",
        Uuid,
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("event_id", Uuid, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
    # An event read twice from the topic adds no second delivery.
    UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_endpoint_event"),
    CheckConstraint(
        "status IN ('pending', 'delivered', 'failed')", name="ck_webhook_deliveries_status"
    ),
)
# An endpoint's delivery log, newest first, paged by (created_at, id).
Index(
    "ix_webhook_deliveries_endpoint_created",
    webhook_deliveries.c.endpoint_id,
    webhook_deliveries.c.created_at,
    webhook_deliveries.c.id,
)
# Housekeeping: pending deliveries long past due.
Index(
    "ix_webhook_deliveries_due",
    webhook_deliveries.c.next_attempt_at,
    postgresql_where=text("status = 'pending'"),
)
# Pruning by age.
Index("ix_webhook_deliveries_created_at", webhook_deliveries.c.created_at)
