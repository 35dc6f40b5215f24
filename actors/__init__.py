"""Background entry points: Dramatiq actors and FastStream Kafka subscribers."""
