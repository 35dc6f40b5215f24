"""Implementations of the core ports, and the composition root of each process."""
