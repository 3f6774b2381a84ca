"""The standing code checks run with the tests: ruff (lint, format) and mypy --strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_ruff_lint_and_format_are_clean() -> None:
    lint = run("ruff", "check", "src", "tests", "bench")
    assert lint.returncode == 0, lint.stdout
    fmt = run("ruff", "format", "--check", "src", "tests", "bench")
    assert fmt.returncode == 0, fmt.stdout


def test_mypy_strict_on_the_library_is_clean() -> None:
    done = run("mypy")
    assert done.returncode == 0, done.stdout
