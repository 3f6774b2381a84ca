"""Start-up time of the command line: how long a command takes before it does its work.

Runs each command ``--runs`` times in fresh processes (a throw-away workspace) and
prints the median and the slowest wall time, beside two baselines measured in the same
run: ``python -c pass`` (the interpreter alone) and ``python -c "import typer"`` (the
CLI framework). Goal: ``dongtai --help`` median ≤ 0.4 s on an idle 2-core machine.

    python bench/startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable
DONGTAI = str(Path(PYTHON).with_name("dongtai"))


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


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
        wall([DONGTAI, "--home", home, "sources", "list"])  # creates the workspace database
        print(f"{'command':40} {'median s':>9} {'max s':>7}  ({args.runs} runs)")
        for label, variants in commands(home).items():
            times = [wall(variants[i % len(variants)]) for i in range(args.runs)]
            print(f"{label:40} {statistics.median(times):9.3f} {max(times):7.3f}")


if __name__ == "__main__":
    main()
