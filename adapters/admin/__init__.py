"""`ops/admin`: the operators' command line (Typer). See `ops/admin --help`."""
