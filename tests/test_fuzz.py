"""Fuzzing (Hypothesis, bounded): ingest, figure and claim parsing, and every renderer
never crash on any input, and what they keep or write carries no control character."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dongtai.config import Branding
from dongtai.ingest import parse_lines, split_lines
from dongtai.models import Briefing, Item
from dongtai.plugins import load_renderer
from dongtai.render import one_line
from dongtai.sources import load_registry
from dongtai.text.figures import extract_figures
from dongtai.text.names import Lexicon
from dongtai.text.sanitize import reader_text
from dongtai.verify.claims import extract
from dongtai.zones import zone
from tests.render_samples import small

BOUNDED = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
REGISTRY = load_registry(None)
TZ = zone("Asia/Shanghai")
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
LEXICON = Lexicon(REGISTRY.organisation_names())
# text drawn from everywhere, with the characters that hurt most made likely
nasty = st.text(
    alphabet=st.one_of(
        st.characters(codec=None),
        st.sampled_from('\x00\x1b\x07\r\n\t\u2028\u0085\u202e\u2066\ufeff\uffff\ud800"\\[{%万亿$'),
    ),
    max_size=200,
)
numbers = st.from_regex(r"(约|超过|近)?[0-9]{1,6}(\.[0-9]{1,3})?(%|万|亿|million| percent)?")


def _record(title: str, text: str, published: str, url: str) -> dict[str, object]:
    return {"url": url, "source": "Reuters", "title": title, "published": published, "text": text}


@BOUNDED
@given(
    title=nasty,
    text=nasty,
    published=st.one_of(
        st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat), nasty, st.just("2026-05-05")
    ),
    url=st.one_of(st.just("https://example.com/a"), nasty.map(lambda s: "https://x.org/" + s)),
    garbage=st.binary(max_size=300),
)
def test_ingest_never_raises_and_keeps_only_clean_text(
    title: str, text: str, published: str, url: str, garbage: bytes
) -> None:
    good = json.dumps(_record("ok", "fine", "2026-05-05T10:00:00+08:00", "https://g.org/1"))
    fuzzed = json.dumps(_record(title, text, published, url))
    data = b"\n".join(
        [good.encode(), fuzzed.encode("utf-8", "surrogatepass"), garbage, good.encode()]
    )
    lines = split_lines(data)
    parsed = parse_lines(lines, REGISTRY, TZ, 0.4)
    assert len(parsed.items) + len(parsed.errors) <= len(lines)
    assert [i.url for i in parsed.items].count("https://g.org/1") == 2  # good lines never lost
    for item in parsed.items:
        _clean(item)


def _clean(item: Item) -> None:
    for value in (item.title, item.text, item.summary, item.url, *item.authors):
        assert not CONTROLS.search(value), value
        assert not re.search("[\ud800-\udfff\uffff]", value)
    assert "\n" not in item.title and 1970 <= item.published.astimezone(UTC).year <= 2100


@BOUNDED
@given(text=st.lists(st.one_of(nasty, numbers), max_size=8).map(" ".join))
def test_figure_and_claim_parsing_never_raise(text: str) -> None:
    for figure in extract_figures(text):
        assert 0 <= figure.start <= figure.end <= len(text)
    for found in extract(text, LEXICON, 2026):
        assert 0 <= found.start <= found.end <= len(text)


def _briefing(texts: list[str], url: str) -> Briefing:
    base = small()
    clean = [reader_text(t) for t in texts]  # reader text is sanitised at ingest
    section = base.sections[0]
    sub = section.subsections[0]
    paragraphs = tuple(p.model_copy(update={"text": t or "x"}) for p, t in zip(
        sub.paragraphs * len(clean), clean, strict=False))  # fmt: skip
    sub = sub.model_copy(update={"title": one_line(clean[0]) or "t", "paragraphs": paragraphs
                                 or sub.paragraphs})  # fmt: skip
    section = section.model_copy(
        update={"title": one_line(clean[-1]) or "s", "subsections": (sub,)}
    )
    ref = base.references[0].model_copy(update={"title": one_line(clean[0]), "url": url})
    return base.model_copy(
        update={"abstract": clean[-1], "sections": (section, base.sections[1]),
                "references": (ref, *base.references[1:])}
    )  # fmt: skip


@pytest.mark.parametrize("name", ["md", "html", "json", "wechat", "docx", "pdf"])
def test_every_renderer_survives_any_reader_text(name: str) -> None:
    renderer = load_renderer(name).from_settings(Branding())
    examples = 8 if name == "pdf" else 40

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
    @given(texts=st.lists(nasty, min_size=1, max_size=4),
           url=st.one_of(st.just("https://example.com/a"), nasty))  # fmt: skip
    def check(texts: list[str], url: str) -> None:
        data = renderer.render(_briefing(texts, url))
        assert isinstance(data, bytes) and data
        if name in ("md", "html", "wechat"):
            assert not CONTROLS.search(data.decode("utf-8")), name

    check()
