"""Enrichment: what an item says whatever the day is computed when it is stored and
read by brief; workspaces from before it exist are enriched on their first brief.

The encoder is the real one, wrapped to record the texts sent to it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from dongtai import pipeline
from dongtai.config import Settings
from dongtai.ingest import store_lines
from dongtai.sources import load_registry
from dongtai.stages import cluster, relevance
from dongtai.store import MIGRATIONS, Store, open_store
from dongtai.text import embedding
from dongtai.zones import zone
from tests.conftest import DEMO_DATE, sample_lines


class Recording:
    """The real encoder, recording every text it is asked to encode."""

    def __init__(self, encode: Callable[[list[str]], Any]) -> None:
        self.encode = encode
        self.texts: list[str] = []

    def __call__(self, texts: list[str]) -> Any:
        self.texts.extend(texts)
        return self.encode(texts)


@pytest.fixture
def encoder(monkeypatch: pytest.MonkeyPatch) -> Recording:
    recording = Recording(embedding._encode_all)
    monkeypatch.setattr(embedding, "_encode_all", recording)
    return recording


def item_texts(settings: Settings, store: Store) -> set[str]:
    """The texts the stages would encode for each item of the day."""
    items = store.items_between(*pipeline.Run(settings, store, DEMO_DATE).window)
    return {cluster.lead_text(i) for i in items} | {
        relevance.text_of(i.title, i.text) for i in items
    }


def ingest_lines(settings: Settings, store: Store, lines: list[str]) -> None:
    registry, tz = load_registry(settings.home), zone(settings.timezone)
    store_lines(store, lines, registry, tz, settings.default_weight, settings.ingest)


def brief(settings: Settings, store: Store) -> dict[str, Any]:
    return pipeline.run_until(pipeline.Run(settings, store, DEMO_DATE), "cluster")


def test_brief_reads_the_enrichment_stored_at_ingest(
    settings: Settings, store: Store, encoder: Recording
) -> None:
    ingest_lines(settings, store, sample_lines())
    texts = item_texts(settings, store)
    assert texts <= set(encoder.texts)  # encoded when stored
    encoder.texts.clear()
    stories = brief(settings, store)["cluster"]
    assert stories
    assert not texts & set(encoder.texts)  # and never again by brief
    assert len(store.enrichment(i.url for s in stories for i in s.items)) == sum(
        len(s.items) for s in stories
    )


def test_each_distinct_text_is_encoded_once_at_ingest(
    settings: Settings, store: Store, encoder: Recording
) -> None:
    lines = [line for line in sample_lines() if line.strip()][:5]
    copies = [  # the same texts from another outlet, stored in the same batch
        json.dumps({**json.loads(line), "url": f"https://copy.example/{n}", "source": "copier"})
        for n, line in enumerate(lines)
    ]
    ingest_lines(settings, store, lines + copies)
    assert encoder.texts and len(encoder.texts) == len(set(encoder.texts))
    assert len(store.enrichment(f"https://copy.example/{n}" for n in range(5))) == 5


def test_without_stored_enrichment_brief_encodes_and_keeps_it(
    settings: Settings, store: Store, encoder: Recording
) -> None:
    settings.ingest.enrich = False
    ingest_lines(settings, store, sample_lines())
    assert not encoder.texts
    first = brief(settings, store)["cluster"]
    assert item_texts(settings, store) & set(encoder.texts)  # the non-incremental path encodes
    encoder.texts.clear()
    again = brief(settings, store)["cluster"]
    assert not item_texts(settings, store) & set(encoder.texts)
    assert [s.id for s in again] == [s.id for s in first]


def test_same_stories_whether_enriched_at_ingest_or_at_brief(
    settings: Settings, store: Store
) -> None:
    ingest_lines(settings, store, sample_lines())
    at_ingest = brief(settings, store)["cluster"]
    other = settings.model_copy(deep=True)
    other.home = settings.home.parent / "other"
    other.ingest.enrich = False
    lazy_store = open_store(other.db_url)
    ingest_lines(other, lazy_store, sample_lines())
    lazily = brief(other, lazy_store)["cluster"]
    assert [(s.id, s.topic) for s in lazily] == [(s.id, s.topic) for s in at_ingest]


def test_an_old_workspace_upgrades_and_is_enriched_on_first_brief(
    settings: Settings, encoder: Recording
) -> None:
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.db_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:  # a workspace from before enrichment existed
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
    old = Store(engine)
    settings.ingest.enrich = False
    ingest_lines(settings, old, sample_lines())
    engine.dispose()
    store = open_store(settings.db_url)  # migrates to the head
    assert store.enrichment(["https://example.org/none"]) == {}
    stories = brief(settings, store)["cluster"]
    urls = [i.url for s in stories for i in s.items]
    assert set(store.enrichment(urls)) == set(urls)
    encoder.texts.clear()
    brief(settings, store)
    assert not item_texts(settings, store) & set(encoder.texts)


def test_an_item_whose_text_changed_is_enriched_again(
    settings: Settings, store: Store, encoder: Recording
) -> None:
    ingest_lines(settings, store, sample_lines())
    run = pipeline.Run(settings, store, DEMO_DATE)
    item = store.items_between(*run.window)[0]
    changed = item.model_copy(update={"text": item.text + " A sentence added later."})
    before = store.enrichment([item.url])[item.url]["digest"]
    encoder.texts.clear()
    found = run.enricher.enrich(store, [changed])
    assert found[item.url].digest != before
    assert (
        cluster.lead_text(changed) in encoder.texts
        or relevance.text_of(changed.title, changed.text) in encoder.texts
    )
    assert store.enrichment([item.url])[item.url]["digest"] == found[item.url].digest


def test_the_shipped_example_vectors_are_the_encoders(monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.example_vectors import shipped_examples

    from dongtai.stages.classify import example_vectors

    texts = shipped_examples()
    shipped = example_vectors()
    assert set(texts) <= set(shipped), "run python bench/example_vectors.py"
    monkeypatch.setattr(embedding, "PARALLEL_MIN", 10**9)
    fresh = embedding.embed(texts)
    assert max(float(abs(fresh[n] - shipped[t]).max()) for n, t in enumerate(texts)) < 1e-5


def test_a_brief_of_enriched_items_never_loads_the_encoder(
    settings: Settings, store: Store, encoder: Recording
) -> None:
    weak = {  # one topic concept, in the body only: judged against the topics' examples
        "url": "https://weak.example/1",
        "source": "reuters",
        "title": "Company opens a new office downtown",
        "text": "The company said the office will also host a small chip design team.",
        "published": "2026-05-05T09:00:00Z",
        "language": "en",
    }
    ingest_lines(settings, store, [*sample_lines(), json.dumps(weak)])
    encoder.texts.clear()
    entries = pipeline.run_until(pipeline.Run(settings, store, DEMO_DATE), "classify")
    [judged] = [e for e in entries["classify"] if e.item.url == weak["url"]]
    assert judged.concepts == ("chip",)  # evidence 1 (body only): the examples were consulted
    assert encoder.texts == []
