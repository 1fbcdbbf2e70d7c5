"""Running one benchmark phase in a fresh interpreter, so its peak memory (max RSS) is its own.

A script runs itself again as `python -m <module> --phase ...`; the phase prints its figures as one JSON
line last, which the caller reads back.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports kilobytes


def cpu_seconds() -> float:
    """CPU seconds this process has used: steadier than the wall clock on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages: above the number of cores, phases wait for a core."""
    return "/".join(f"{value:.1f}" for value in os.getloadavg()) + f" on {os.cpu_count()} cores"


def run_phase(module: str, *args: str) -> dict:
    """Run `python -m module --phase *args` and return the JSON figures it printed last."""
    completed = subprocess.run(
        [sys.executable, "-m", module, "--phase", *args], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"phase {args[0] if args else ''} of {module} failed:\n{completed.stderr.strip()}")
    return json.loads(completed.stdout.strip().splitlines()[-1])
