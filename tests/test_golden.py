"""Golden files: the demo issue's Markdown, HTML and WeChat HTML, byte for byte.

A difference fails with a diff. When the change is intended, refresh the files with
``.venv/bin/python -m tests.refresh_golden`` and commit them with the change.
"""

from __future__ import annotations

import difflib

import pytest

from .conftest import Demo
from .refresh_golden import FORMATS, GOLDEN, golden_outputs

NAMES = ["demo.md", "demo.html", "demo.wechat.html"]


def test_every_golden_format_has_a_file() -> None:
    assert len(NAMES) == len(FORMATS)
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_demo_output_matches_golden_file(demo: Demo, name: str) -> None:
    actual = golden_outputs(demo[1].briefing)[name].decode("utf-8")
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), f"golden/{name}", "rendered", lineterm=""
        )
        shown = "\n".join(list(diff)[:60])
        pytest.fail(
            f"{name} differs from its golden file; if intended, run "
            f"`.venv/bin/python -m tests.refresh_golden`\n{shown}"
        )
