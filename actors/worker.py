"""Entry point of the worker process: `python -m actors.worker [dramatiq options]`.

Dramatiq running the actors of `actors.tasks`, with job metrics that add up across
`--processes` (actors.job_metrics): this process prepares them before dramatiq starts the
worker processes, and removes their folder once they have stopped.
"""

from __future__ import annotations

import sys

import dramatiq.cli

from actors import job_metrics
from adapters.settings import Settings

ACTORS = "actors.tasks"


def main() -> None:
    settings = Settings.from_env()
    parser = dramatiq.cli.make_argument_parser()  # type: ignore[no-untyped-call]
    args = parser.parse_args([ACTORS, *sys.argv[1:]])
    # On SIGHUP dramatiq restarts by executing sys.argv: make that this launcher again.
    sys.argv[:1] = [sys.executable, "-m", "actors.worker"]
    with job_metrics.exported(settings):
        code = dramatiq.cli.main(args)  # type: ignore[no-untyped-call]
    sys.exit(code)


if __name__ == "__main__":
    main()
