"""Administration: what administrators (the API under /api/v1/admin/) and operators (the
`ops/admin` command line) do to other people's accounts."""
