"""Runs a command and tells where its CPU time went, by kind of process (Linux ``/proc``).

    python3 scripts/cpu_by_process.py bash .ci/run

``.ci/run`` is bound by CPU on two cores: its time is, within a few per cent, the CPU time of
everything it starts divided by two. This says whose CPU time that is — the test workers of
each pass, Chromium (by process type), PostgreSQL, the checks — where ``py-spy`` sees only the
Python processes and ``time`` loses Chromium's renderers (they end after the browser). Every
process on the machine is sampled twice a second, and each one's last reading counts, less what
it had spent when the command started: time spent by a process that starts and ends between two
samples (under half a second) is missed; ``getrusage`` counts it, but not the processes nobody
waited for, as Chromium's.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
SECONDS_BETWEEN_SAMPLES = 0.5


def _kind(pid: int) -> str | None:
    """What a process is, from its command line (and, for pytest, its database)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None
    if not command:
        return None  # a kernel thread
    if "chrom" in command:
        found = re.search(r"--type=([\w-]+)", command)
        return f"chromium {found.group(1) if found else 'browser'}"
    if command.startswith("postgres") or "/postgres" in command:
        return "postgresql"
    # pytest-xdist's workers start as `python -c "import sys;exec(eval(sys.stdin.readline()))"`.
    if "pytest" in command or "execnet" in command or "sys.stdin" in command:
        try:
            environment = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            environment = b""
        return "pytest, PostgreSQL" if b"DATABASE_URL=postgres" in environment else "pytest"
    for name in ("mypy", "ruff", "spectral", "playwright", "npm", "node", "redis"):
        if name in command:
            return name
    if "kansrijk" in command:
        return "kansrijk demo" if " demo " in f"{command} " else "kansrijk, other commands"
    return "other"


def _spent(pid: int) -> int | None:
    """User and system CPU ticks of ``pid`` so far."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


class Sampler:
    def __init__(self) -> None:
        self.before = {pid: _spent(pid) or 0 for pid in _pids()}
        self.last: dict[int, int] = {}
        self.kinds: dict[int, str] = {}
        self.done = threading.Event()

    def sample(self) -> None:
        for pid in _pids():
            spent = _spent(pid)
            if spent is None:
                continue
            if pid not in self.kinds:
                self.kinds[pid] = _kind(pid) or "other"
            self.last[pid] = spent

    def run(self) -> None:
        while not self.done.wait(SECONDS_BETWEEN_SAMPLES):
            self.sample()

    def totals(self) -> dict[str, float]:
        seconds: dict[str, float] = {}
        for pid, spent in self.last.items():
            kind = self.kinds[pid]
            seconds[kind] = seconds.get(kind, 0.0) + (spent - self.before.get(pid, 0)) / TICKS
        return seconds


def main(command: list[str]) -> int:
    if not command:
        print(__doc__)
        return 2
    sampler = Sampler()
    thread = threading.Thread(target=sampler.run, daemon=True)
    started = time.monotonic()
    thread.start()
    status = subprocess.call(command)
    sampler.done.set()
    thread.join()
    sampler.sample()
    wall = time.monotonic() - started
    totals = sampler.totals()
    total = sum(totals.values())
    print(f"\n{'CPU s':>8}  {'share':>6}  kind of process", file=sys.stderr)
    for kind, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        if seconds >= 0.5:
            print(f"{seconds:8.1f}  {seconds / total:6.1%}  {kind}", file=sys.stderr)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"{reaped.ru_utime + reaped.ru_stime:8.1f}  CPU seconds of the processes the command "
        "started and waited for (getrusage: without those it did not wait for)",
        file=sys.stderr,
    )
    cpus = os.cpu_count() or 1
    print(
        f"{total:8.1f}  CPU seconds in {wall:.0f} s on {cpus} CPUs "
        f"({total / (wall * cpus):.0%} of what they could give)",
        file=sys.stderr,
    )
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
