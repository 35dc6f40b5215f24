"""Webhooks: administrators register endpoints; account events are signed and POSTed to them."""
