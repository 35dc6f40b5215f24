"""How many cores this process may really use, for the defaults that size a process by them."""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")


def usable_cores() -> int:
    """The CPUs this process may run on (its affinity: taskset, cpusets), capped by the CPU
    quota of its cgroup (`docker run --cpus 2`, a Kubernetes CPU limit), rounded up.
    os.cpu_count() sees neither: in a container limited to 2 CPUs of a 64-core host it says 64,
    and 64 workers would then share 2 CPUs."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    quota = cgroup_cpu_quota()
    if quota is not None:
        cores = min(cores, math.ceil(quota))
    return max(1, cores)


def cgroup_cpu_quota(root: Path = CGROUP) -> float | None:
    """CPUs' worth of time per period the cgroup may use; None when unlimited or unknown."""
    try:  # cgroup v2: "max 100000" or "200000 100000"
        limit, period = (root / "cpu.max").read_text().split()[:2]
        return None if limit == "max" else int(limit) / int(period)
    except (OSError, ValueError):
        pass
    try:  # cgroup v1: a quota of -1 is no limit
        limit = (root / "cpu" / "cpu.cfs_quota_us").read_text().strip()
        period = (root / "cpu" / "cpu.cfs_period_us").read_text().strip()
        return None if int(limit) <= 0 else int(limit) / int(period)
    except (OSError, ValueError):
        return None
