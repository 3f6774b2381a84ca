"""Benchmark: render time of every format for the demo issue and a 12-section issue.

The demo issue is built from the bundled sample corpus (offline), the 12-section issue
is :func:`tests.render_samples.many_sections` (long titles, 48 paragraphs). For each
issue and format it prints the first render in this process (for the PDF that
includes scanning the fonts and reading their cmaps: what one ``dongtai brief`` pays)
and the median of the following renders, with the output size; Markdown and HTML are
the baseline of the same run. It also times ``dongtai brief``'s PDF cost as a fresh
process pays it (interpreter, imports, fonts, one render).

Run: ``.venv/bin/python bench/render.py [--repeat 7]``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pypdf import PdfReader
from tests.conftest import DEMO_DATE, ingest_lines, sample_lines
from tests.render_samples import many_sections

from dongtai import pipeline
from dongtai.config import Branding, load_settings
from dongtai.models import Briefing
from dongtai.plugins import load_renderer
from dongtai.store import open_store

FORMATS = ("md", "html", "wechat", "docx", "pdf")
FRESH = """
import sys, time
t = time.perf_counter()
from dongtai.config import Branding
from dongtai.models import Briefing
from dongtai.render.pdf import PdfRenderer
b = Briefing.model_validate_json(open(sys.argv[1], encoding="utf-8").read())
PdfRenderer.from_settings(Branding()).render(b)
print(time.perf_counter() - t)
"""


def demo_briefing() -> Briefing:
    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(home=Path(home), formats=["json"])
        store = open_store(settings.db_url)
        ingest_lines(settings, store, sample_lines())
        return pipeline.build(settings, DEMO_DATE, store=store).briefing


def timed(fn: Callable[[], bytes]) -> tuple[float, bytes]:
    start = time.perf_counter()
    data = fn()
    return time.perf_counter() - start, data


def measure(name: str, briefing: Briefing, repeat: int) -> tuple[float, float, bytes]:
    renderer = load_renderer(name).from_settings(Branding())
    first, data = timed(lambda: renderer.render(briefing))
    rest = [timed(lambda: renderer.render(briefing))[0] for _ in range(repeat)]
    return first, statistics.median(rest), data


def fresh_process(briefing: Briefing, repeat: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "briefing.json"
        path.write_text(briefing.model_dump_json(), encoding="utf-8")
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-c", FRESH, str(path)], check=True, capture_output=True
            )
            runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="renders after the first")
    args = parser.parse_args()
    issues = {"demo": demo_briefing(), "12 sections": many_sections(12)}
    print(f"{'issue':<12} {'format':<7} {'first s':>8} {'median s':>9} {'size KB':>8}  pages")
    for label, briefing in issues.items():
        for name in FORMATS:
            first, median, data = measure(name, briefing, args.repeat)
            pages = len(PdfReader(io.BytesIO(data)).pages) if name == "pdf" else ""
            line = f"{label:<12} {name:<7} {first:8.3f} {median:9.3f} {len(data) / 1024:8.1f}"
            print(f"{line}  {pages}")
    for label, briefing in issues.items():
        seconds = fresh_process(briefing, 3)
        print(f"fresh process, PDF of {label}: {seconds:.2f} s (interpreter + imports + render)")


if __name__ == "__main__":
    main()
