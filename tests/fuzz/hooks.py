"""Loaded into the schemathesis process (SCHEMATHESIS_HOOKS), before its workers start.

Schemathesis's workers are threads of one process, and Hypothesis parses Python source with
`ast.parse` while it generates (to describe the lambdas of a strategy, to pretty-print a value,
to read a filter's predicate). CPython 3.11's `ast.parse` is not safe in two threads at once: it
fails with "SystemError: AST constructor recursion depth mismatch", which Hypothesis reports as
a flaky test case and schemathesis as a runtime error, a crash of the generator and no finding
about the API. One lock makes the parses take turns; Hypothesis caches what it parsed, so the
turns are few."""

from __future__ import annotations

import ast
import threading
from typing import Any

_parse_in_turn = threading.Lock()
_parse = ast.parse


def _parsed_in_turn(*args: Any, **kwargs: Any) -> Any:
    with _parse_in_turn:
        return _parse(*args, **kwargs)


ast.parse = _parsed_in_turn  # type: ignore[assignment]
