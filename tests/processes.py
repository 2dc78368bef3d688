"""Which processes a process has started: for tests and benchmarks that check workers end or measure them."""

from __future__ import annotations

import os
from pathlib import Path


def live_children(parent: int | None = None) -> set[int]:
    """Process ids of the live children of `parent` (default: this process), from every /proc/PID/stat.

    Not /proc/PID/task/TID/children: that listing needs the kernel's CONFIG_PROC_CHILDREN, which CI's
    kernel lacks, and a thread ending while it is read makes it miss children. A zombie has already
    exited, so it is not counted as a worker left running. Linux only.
    """
    parent = os.getpid() if parent is None else parent
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended while we looked
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]  # the name in parentheses may hold spaces
        if int(ppid) == parent and state != "Z":
            found.add(int(entry.name))
    return found
