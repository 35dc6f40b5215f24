"""Domain and application layer: entities, ports, and one command or query per use case."""
