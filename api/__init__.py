"""The HTTP API: a thin Falcon ASGI layer over the core commands and queries."""
