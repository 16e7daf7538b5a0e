"""CPU time of processes, read from /proc (Linux): user + system, all threads."""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _fields(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    # The command name is in parentheses and may hold spaces: split after the last one.
    return text[text.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid``, every thread included."""
    fields = _fields(pid)
    return (int(fields[11]) + int(fields[12])) / TICKS


def tree_cpu_seconds(pid: int) -> float:
    """``pid``, its live children, and the children it has reaped (cutime + cstime): for a
    PostgreSQL postmaster, every backend that ran since it started."""
    fields = _fields(pid)
    total = sum(int(f) for f in fields[11:15])
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            child = _fields(int(entry.name))
        except (OSError, ValueError):
            continue  # gone meanwhile
        if int(child[1]) == pid:
            total += int(child[11]) + int(child[12])
    return total / TICKS


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def machine_busy_seconds() -> float:
    """CPU time every core spent busy since boot (not idle, not waiting for I/O)."""
    first = Path("/proc/stat").read_text().splitlines()[0].split()
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in first[1:9])
    return (user + nice + system + irq + softirq + steal) / TICKS
