"""Rewrite the golden files of the demo issue, on purpose: ``python -m tests.refresh_golden``.

Run it from the repository root after a change that is meant to alter an output, then
review ``git diff tests/golden/`` like any other change. It builds the demo issue the
way the ``demo`` fixture does (bundled sample corpus, a throw-away workspace) and
renders it with the default branding into ``tests/golden/demo.<extension>``. The
golden files pin the renderers *and* the pipeline's output for the sample corpus: a
change to selection or writing shows up here too (compare with ``briefing.json``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from dongtai import pipeline
from dongtai.config import Branding, load_settings
from dongtai.models import Briefing
from dongtai.plugins import load_renderer
from dongtai.store import open_store

from .conftest import DEMO_DATE, ingest_lines, sample_lines

GOLDEN = Path(__file__).resolve().parent / "golden"
FORMATS = ("md", "html", "wechat")


def golden_outputs(briefing: Briefing) -> dict[str, bytes]:
    """File name → bytes of every golden format, rendered with the default branding."""
    outputs = {}
    for name in FORMATS:
        renderer = load_renderer(name).from_settings(Branding())
        outputs[f"demo.{renderer.extension}"] = renderer.render(briefing)
    return outputs


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(home=Path(home), formats=["json"])
        store = open_store(settings.db_url)
        ingest_lines(settings, store, sample_lines())
        briefing = pipeline.build(settings, DEMO_DATE, store=store).briefing
    GOLDEN.mkdir(exist_ok=True)
    for name, data in golden_outputs(briefing).items():
        (GOLDEN / name).write_bytes(data)
        print(f"wrote {GOLDEN / name}")


if __name__ == "__main__":
    main()
