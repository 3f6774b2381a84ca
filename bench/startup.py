"""Start-up time of the command line: how long a command takes before it does its work.

Runs each command ``--runs`` times in fresh processes (a throw-away workspace whose
database holds fetch health, as after a fetch) and prints the median and the slowest
wall time, and the median time spent importing (``-X importtime``, summed over the
top-level imports: less sensitive to a busy machine than wall time), beside two
baselines measured in the same run: ``python -c pass`` (the interpreter alone) and
``python -c "import typer"`` (the CLI framework). Goal: ``dongtai --help`` median
≤ 0.4 s on an idle 2-core machine; ``sources list`` and ``sources add`` well under 0.5 s.

    python bench/startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

PYTHON = sys.executable
DONGTAI = str(Path(PYTHON).with_name("dongtai"))


def wall(command: list[str], twin: list[str]) -> tuple[float, float]:
    """Wall time of one plain run of ``command``, and the time the imports of ``twin``
    (the same command, or the next id of ``sources add``) took in a run with
    ``-X importtime`` (seconds; the report slows a run, so that one is not timed)."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    done = subprocess.run(twin, check=True, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
    return seconds, _import_seconds(done.stderr)


def _import_seconds(report: str) -> float:
    """Sum of the cumulative times of the top-level imports in a ``-X importtime`` report."""
    total = 0
    for line in report.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[2].startswith(" ") and not parts[2].startswith("  "):
            total += int(parts[1]) if parts[1].strip().isdigit() else 0
    return total / 1e6


def _with_health(home: str) -> None:
    """The workspace database, with one source's fetch health recorded."""
    from dongtai.models import FetchRun
    from dongtai.store import open_store

    store = open_store(f"sqlite:///{Path(home) / 'dongtai.db'}")
    now = datetime.now(UTC)
    store.record_fetch(FetchRun(source="sia", status="ok", new=1, started=now, finished=now))
    store.engine.dispose()


def commands(home: str) -> dict[str, list[list[str]]]:
    """Label → the command of each run (``sources add`` needs a new id every time)."""

    def add(n: int) -> list[str]:
        return [DONGTAI, "--home", home, "sources", "add", f"bench{n}", f"https://example.org/{n}"]

    return {
        "python -c pass (baseline)": [[PYTHON, "-c", "pass"]],
        'python -c "import typer" (baseline)': [[PYTHON, "-c", "import typer"]],
        "dongtai --help": [[DONGTAI, "--help"]],
        "dongtai sources list": [[DONGTAI, "--home", home, "sources", "list"]],
        "dongtai sources add": [add(n) for n in range(1000)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        _with_health(home)
        print(f"{'command':40} {'median s':>9} {'max s':>7} {'imports s':>10}  ({args.runs} runs)")
        for label, variants in commands(home).items():
            runs = [
                wall(variants[2 * i % len(variants)], variants[(2 * i + 1) % len(variants)])
                for i in range(args.runs)
            ]
            times = [t for t, _ in runs]
            imports = statistics.median(i for _, i in runs)
            print(f"{label:40} {statistics.median(times):9.3f} {max(times):7.3f} {imports:10.3f}")


if __name__ == "__main__":
    main()
