"""Re-check a briefing against the store, and say what the gate found in plain lines.

Editors edit briefings, so any ``briefing.json`` — or the issue of a date — can be
checked again, read-only, by the same gate as the pipeline (:mod:`dongtai.verify.gate`):

* the items are the store's items at the references' URLs, with the syndicated copies
  the ``dedupe`` stage recorded for the briefing's date (so outlets named as "转载" keep
  their support); the organisation table is the workspace registry's; dates are read
  in the configured time zone;
* the issue of a date is ``HOME/briefings/D/briefing.json`` when that file exists (it
  is what gets published and what editors change), else the briefing stored for D;
* a file that is not a briefing is an :class:`~dongtai.errors.InputError` naming the
  first problem; nothing is written.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from dongtai.config import Settings
from dongtai.errors import InputError
from dongtai.models import Briefing, Claim, Item, Verification
from dongtai.sources import load_registry
from dongtai.store import Store, open_store
from dongtai.verify.gate import Index, verify_briefing
from dongtai.zones import zone

__all__ = ["index_for", "issue_briefing", "read_briefing", "recheck", "report_lines"]

KIND_NAMES = {
    "figure": "figures",
    "date": "dates",
    "organisation": "organisations",
    "person": "people",
    "quote": "quotes",
    "citation": "citations",
    "reference": "references",
    "superlative": "superlatives",
}


def read_briefing(path: Path) -> Briefing:
    """A briefing JSON file, validated against the contract."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    try:
        return Briefing.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "/".join(str(p) for p in first["loc"])
        raise InputError(f"{path} is not a briefing: {where}: {first['msg']}") from exc


def issue_briefing(settings: Settings, day: date) -> tuple[Briefing, str]:
    """The briefing of a date and where it came from (the file, else the store)."""
    path = settings.briefings_dir / day.isoformat() / "briefing.json"
    if path.is_file():
        return read_briefing(path), str(path)
    stored = open_store(settings.db_url).load_briefing(day)
    if stored is None:
        raise InputError(f"no briefing for {day}: build it first (dongtai brief --date {day})")
    return stored[0], f"store ({stored[1]})"


def recheck(settings: Settings, briefing: Briefing) -> Verification:
    """Verify ``briefing`` against the store's items (module docstring)."""
    return verify_briefing(briefing, index_for(settings, briefing))


def index_for(settings: Settings, briefing: Briefing) -> Index:
    """The gate's index of the items ``briefing`` cites, read from the store."""
    store = open_store(settings.db_url)
    registry = load_registry(settings.home)
    return Index.build(
        briefing.references,
        cited_items(store, briefing),
        registry.organisation_names(),
        store.sources().values(),
        zone(settings.timezone),
    )


def cited_items(store: Store, briefing: Briefing) -> dict[str, Item]:
    """The store's items at the briefing's reference URLs, each with the syndicated
    copies the ``dedupe`` stage recorded for the briefing's date."""
    items = store.items_by_url(ref.url for ref in briefing.references)
    for copy in _with_copies(store.load_stage(briefing.date, "dedupe")):
        if copy.url in items:
            items[copy.url] = items[copy.url].model_copy(update={"copies": copy.copies})
    return items


def _with_copies(payload: object) -> list[Item]:
    if not isinstance(payload, list):
        return []
    out = []
    for entry in payload:
        try:
            item = Item.model_validate(entry)
        except ValidationError:
            continue
        if item.copies:
            out.append(item)
    return out


def report_lines(verification: Verification, every: bool = False) -> list[str]:
    """The gate's verdict for people: a summary, each failing claim with its reason, its
    sentence and the closest candidate's sentence and span in the cited items, and
    (``every``) each supported claim with its evidence."""
    counts = Counter(c.kind for c in verification.claims)
    kinds = ", ".join(f"{counts[k]} {name}" for k, name in KIND_NAMES.items() if counts[k])
    if verification.passed:
        lines = [f"verification passed: {verification.checked} claims checked ({kinds})"]
    else:
        bad = len(verification.unsupported)
        lines = [
            f"verification FAILED: {bad} of {verification.checked} claims unsupported ({kinds})"
        ]
    for claim in verification.unsupported:
        lines.append(f"  ✗ {claim.where} · {claim.kind} 「{claim.text}」: {claim.reason}")
        if claim.sentence:
            lines.append(f"      in: {claim.sentence}")
        if claim.closest_sentence:
            span = f"{claim.closest_start}–{claim.closest_end}"
            where = f"[{claim.closest_ref}] {claim.closest_field} {span}"
            lines.append(f"      closest: {where}: {claim.closest_sentence}")
    if every:
        lines.extend(_evidence_line(c) for c in verification.claims if c.supported)
    return lines


def _evidence_line(claim: Claim) -> str:
    where = f"[{claim.evidence_ref}] {claim.evidence_field}" if claim.evidence_ref else ""
    said = f" “{claim.evidence}”" if claim.evidence else ""
    context = f" — {claim.evidence_sentence}" if claim.evidence_sentence else ""
    return f"  ✓ {claim.where} · {claim.kind} 「{claim.text}」 ← {where}{said}{context}"
