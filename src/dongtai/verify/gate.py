"""Verify: every figure, date, organisation, person and quotation of a briefing is
supported by an item it cites. An independent gate: it reads only the briefing and the
items, so it checks any writer's output (and any editor's edit).

Scope (what may support a claim)
  * a paragraph: the items that *same paragraph* cites — not any item in the store;
  * a subsection title: the items its paragraphs cite; a section title: its section's;
  * the abstract, sentence by sentence: the items of one story — the story whose items
    hold 60% of the sentence's character bigrams (digits aside: the story it retells),
    else the first subsection whose items support all of the sentence's claims, else the
    one supporting most — so a figure, date or organisation moved from one story's
    sentence into another's is caught.
Support (what the claim kinds of :mod:`dongtai.verify.claims` need)
  * figure: an equal figure after normalisation (:func:`dongtai.text.figures.supports`:
    units, scale, language, rounding and qualifier rules) whose clause names no other
    period; a figure with a direction needs a cited figure with the same direction, or
    one without direction when no cited item states the figure going the other way;
  * date: the same day (or month, quarter, half; and year when stated) in a cited item,
    or, for a day, a cited item's publication date (issue time zone); a range
    "5 月 4 日至 5 日" must end after it starts;
  * date: … a cited item's publication date supports only a day of the writer's own
    attribution ("据 X 5 月 15 日报道"); every other date must stand in an item's text;
  * organisation / person: a cited item names it (any alias), or is published by it
    (its outlet or a syndicated copy's outlet);
  * role ("工信部副部长尚冰"): a cited item states the person and the organisation together
    (a title binding them, or one sentence where no title binds the person elsewhere);
  * quote: the phrase appears verbatim (blanks, punctuation, width and case aside) in a
    cited item;
  * superlative, record, first, ranking: a cited item states the same concept about the
    same subject (:mod:`dongtai.text.superlatives`).
Citations and references (checked like claims)
  * a paragraph cites only numbers of the reference list, and each item it cites
    contributes: it shares one of its sentences (80% of the sentence's character bigrams),
    or, in the paragraph's language, states one of its quotations or one of its figures
    in a like context (30% of the figure's context), or supports two of its claims (the
    item's outlet named and its publication date count as one each) — a reference that
    contributes nothing is a wrong citation;
  * each reference's item is in the store, with the reference's title and date
    (publication date in the issue time zone), and some paragraph cites it.

An issue with no section and no reference (the notice that no news qualified) only states
its window: there is nothing to check.

Every claim is returned with its evidence (reference number, item URL, field, sentence
and character span) or with the reason it failed and the closest candidate of the cited
items (``closest_*``: reference, field, sentence, span; ``mismatch``: a different value,
unit, qualifier, period or date, a date only in the metadata, an organisation not bound
to the person), so an editor — or a writer repairing its text — knows what to fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo

from dongtai.models import Briefing, Claim, Item, Reference, Section, Source, Verification
from dongtai.text.dates import When
from dongtai.text.superlatives import superlative_claims
from dongtai.verify.claims import Evidence, Found, bigrams, sentence_at
from dongtai.verify.support import SHANGHAI, WHY, Hit, Index

__all__ = ["SHANGHAI", "Index", "Text", "check", "status", "texts", "verify", "verify_briefing"]

_HAN = re.compile(r"[\u3400-\u9fff]")
OVERLAP = 0.8
MIN_BIGRAMS = 6
_NO_EVIDENCE = {
    "evidence": "",
    "evidence_url": "",
    "evidence_ref": 0,
    "evidence_field": "",
    "evidence_sentence": "",
    "evidence_start": 0,
    "evidence_end": 0,
    "support_refs": (),
}
CONTEXT = 0.6
STORY_OVERLAP = 0.6
SAME_CONTEXT = 0.3
MIN_CONTEXT = 2
REASONS = {
    "figure": "no cited item states this figure",
    "date": "no cited item states this date or was published on it",
    "organisation": "no cited item names this organisation or is published by it",
    "person": "no cited item names this person",
    "role": "no cited item binds this person to this organisation",
    "quote": "no cited item contains this quotation",
}
_FIELD_NAMES = {"title": "title", "summary": "summary", "text": "text", "published": "metadata"}


@dataclass(frozen=True)
class Text:
    """One text of the briefing, where it stands, and the references it may use."""

    where: str
    pointer: str
    text: str
    refs: tuple[int, ...]
    part: str  # "abstract", "title" or "paragraph"


# the texts of a briefing -----------------------------------------------------------
def texts(abstract: str, sections: Sequence[Section]) -> list[Text]:
    """Abstract, titles and paragraphs, each with the references it may draw on."""
    out = [Text("摘要", "/abstract", abstract, (), "abstract")]
    for i, section in enumerate(sections):
        section_refs = _unique(
            n for sub in section.subsections for p in sub.paragraphs for n in p.refs
        )
        out.append(
            Text(
                f"{section.number} 标题",
                f"/sections/{i}/title",
                section.title,
                section_refs,
                "title",
            )
        )
        for j, sub in enumerate(section.subsections):
            base = f"/sections/{i}/subsections/{j}"
            sub_refs = _unique(n for p in sub.paragraphs for n in p.refs) or section_refs
            out.append(Text(f"{sub.number} 标题", f"{base}/title", sub.title, sub_refs, "title"))
            for k, p in enumerate(sub.paragraphs):
                where = f"{sub.number} 第 {k + 1} 段"
                out.append(
                    Text(where, f"{base}/paragraphs/{k}/text", p.text, tuple(p.refs), "paragraph")
                )
    return out


def _set(claim: Claim, **changes: object) -> Claim:
    return claim.model_copy(update=changes)


def _unique(numbers: Iterable[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(numbers))


# the gate ---------------------------------------------------------------------------
def verify(
    abstract: str,
    sections: Sequence[Section],
    references: Sequence[Reference],
    items: Mapping[str, Item],
    names: Mapping[str, str] | None = None,
    sources: Iterable[Source] = (),
    tz: tzinfo = SHANGHAI,
    issue_year: int | None = None,
) -> Verification:
    """Check abstract, titles and paragraphs against the items they cite (module rules).

    ``names`` is the registry's organisation table (name → id; default: the shipped
    registry's), ``sources`` the outlets known to the store; ``items`` maps URL → item
    (with syndicated copies when known).
    """
    index = Index.build(references, items, names, sources, tz)
    return check(abstract, sections, references, index, issue_year)


def status(verification: Verification) -> str:
    """The issue's status: "passed", "failed", or "overridden" when an editor allowed a
    failing issue (``--allow-unverified``)."""
    if verification.passed:
        return "passed"
    return "overridden" if verification.allow_unverified else "failed"


def verify_briefing(briefing: Briefing, index: Index) -> Verification:
    """Re-check a whole briefing (possibly edited) with an index of its items."""
    return check(
        briefing.abstract, briefing.sections, briefing.references, index, briefing.date.year
    )


def check(
    abstract: str,
    sections: Sequence[Section],
    references: Sequence[Reference],
    index: Index,
    issue_year: int | None = None,
) -> Verification:
    """The gate with a prebuilt :class:`Index` (the mutation tests reuse one)."""
    if not sections and not references:  # the no-news notice: it cites nothing, states the window
        return Verification(passed=True, checked=0)
    all_texts = texts(abstract, sections)
    story_scopes = [t.refs for t in all_texts if t.part == "title" and t.pointer.count("/") == 5]
    claims: list[Claim] = []
    for text in all_texts:
        found = index.claims(text.text, issue_year)
        claims += _check_text(text, found, index, story_scopes)
        claims += _superlatives(text, index)
        if text.part == "paragraph":
            claims += _check_citations(text, found, index)
    claims += _check_references(references, all_texts, index)
    unsupported = tuple(c for c in claims if not c.supported)
    return Verification(
        passed=not unsupported, checked=len(claims), unsupported=unsupported, claims=tuple(claims)
    )


def _check_text(
    text: Text, found: list[Found], index: Index, story_scopes: list[tuple[int, ...]]
) -> list[Claim]:
    scopes = _abstract_scopes(text, found, index, story_scopes) if text.part == "abstract" else {}
    out = []
    previous: When | None = None
    for f in found:
        refs = scopes.get(sentence_at(text.text, f.start), text.refs) if scopes else text.refs
        hits = [h for n in refs if (h := index.hit(f, n)) is not None]
        claim = _judge(text, f, refs, hits, index)
        if f.when is not None:
            if f.when.range_end and previous is not None and not _before(previous, f.when):
                claim = _set(claim, supported=False, reason="the date range ends before it starts")
            previous = f.when
        out.append(claim)
    return out


def _superlatives(text: Text, index: Index) -> list[Claim]:
    """Superlatives, records, firsts, rankings (:mod:`dongtai.text.superlatives`); an
    abstract sentence may draw on any cited item."""
    refs = text.refs or tuple(index.evidence)
    items = {n: ev.item for n, ev in index.evidence.items()}
    return superlative_claims(text.text, text.where, text.pointer, refs, items, index.lexicon)


def _abstract_scopes(
    text: Text, found: list[Found], index: Index, story_scopes: list[tuple[int, ...]]
) -> dict[tuple[int, int], tuple[int, ...]]:
    """Per abstract sentence, the references of the story it retells (bigram share), else
    of the first story (subsection) backing all of its claims, else of the story backing
    most of them."""
    by_sentence: dict[tuple[int, int], list[Found]] = {}
    for f in found:
        by_sentence.setdefault(sentence_at(text.text, f.start), []).append(f)
    scopes = {}
    story_grams = [_grams_of(refs, index) for refs in story_scopes]
    for span, claims in by_sentence.items():
        grams = bigrams(text.text[span[0] : span[1]])
        shares = [
            len(grams & g) / len(grams) if len(grams) >= MIN_BIGRAMS else 0.0 for g in story_grams
        ]
        told = max(range(len(shares)), key=lambda i: shares[i], default=None)
        if told is not None and shares[told] >= STORY_OVERLAP:
            scopes[span] = story_scopes[told]
            continue
        scores = [
            sum(
                any((h := index.hit(c, n)) is not None and h.grade > 0 for n in refs)
                for c in claims
            )
            for refs in story_scopes
        ]
        best = max(range(len(scores)), key=lambda i: scores[i], default=None)
        scopes[span] = tuple(index.evidence) if best is None else story_scopes[best]
    return scopes


def _grams_of(refs: tuple[int, ...], index: Index) -> frozenset[str]:
    return frozenset().union(*(index.evidence[n].bigrams for n in refs if n in index.evidence))


def _before(start: When, end: When) -> bool:
    first = (start.year or 0, start.month or 0, start.day or 0)
    last = (end.year or start.year or 0, end.month or start.month or 0, end.day or 0)
    return first < last


def _judge(text: Text, f: Found, refs: Sequence[int], hits: list[Hit], index: Index) -> Claim:
    claim = _judge_support(text, f, refs, hits, index)
    if f.kind != "figure" or len(f.context) < MIN_CONTEXT or not claim.supported:
        return claim
    top = max((h.context for h in hits), default=0.0)
    closest = [h for h in hits if h.context > top - 1e-9]
    if top >= CONTEXT and not any(h.context_ok for h in closest):
        failed = Claim.model_validate({**claim.model_dump(), **_NO_EVIDENCE, "supported": False})
        return _explain(failed, f, refs, index, "the cited items state another figure here")
    return claim


def _judge_support(
    text: Text, f: Found, refs: Sequence[int], hits: list[Hit], index: Index
) -> Claim:
    claim = Claim(
        text=f.text,
        where=text.where,
        supported=False,
        kind=f.kind,
        pointer=text.pointer,
        start=f.start,
        end=f.end,
        sentence=f.sentence.strip(),
        normalised=f.label,
    )
    best = max((h.grade for h in hits), default=0)
    if best == 2 or (best == 1 and all(h.grade != -1 for h in hits)):
        backing = [h for h in hits if h.grade == best]
        return _with_evidence(claim, backing, index)
    if any(h.grade == -1 for h in hits):
        which = ", ".join(f"[{h.ref}]" for h in hits if h.grade == -1)
        return _set(
            claim, reason=f"the cited items state this figure going the other way ({which})"
        )
    return _explain(claim, f, refs, index, REASONS[f.kind])


def _explain(claim: Claim, f: Found, refs: Sequence[int], index: Index, reason: str) -> Claim:
    """A failed claim with the closest candidate of the cited items and why it differs:
    "… (closest: “超1.7亿” in [2] text: a different value)"."""
    near = index.near(f, refs)
    if near is None:
        return _set(claim, reason=reason)
    ev = index.evidence[near.ref]
    body = ev.fields.get(near.field, "")
    a, b = sentence_at(body, near.span[0]) if body else (0, 0)
    where = _FIELD_NAMES.get(near.field, near.field)
    return _set(
        claim,
        reason=f"{reason} (closest: “{near.surface}” in [{near.ref}] {where}: {WHY[near.why]})",
        closest=near.surface,
        closest_ref=near.ref,
        closest_field=near.field,
        closest_sentence=body[a:b].strip(),
        closest_start=near.span[0],
        closest_end=near.span[1],
        mismatch=near.why,
    )


def _with_evidence(claim: Claim, backing: list[Hit], index: Index) -> Claim:
    first = backing[0]
    ev = index.evidence[first.ref]
    body = ev.fields.get(first.field, "")
    a, b = sentence_at(body, first.span[0]) if body else (0, 0)
    return _set(
        claim,
        supported=True,
        evidence=first.surface,
        evidence_url=ev.item.url,
        evidence_ref=first.ref,
        evidence_field=first.field,
        evidence_sentence=body[a:b].strip(),
        evidence_start=first.span[0],
        evidence_end=first.span[1],
        support_refs=tuple(h.ref for h in backing),
    )


def _check_citations(text: Text, found: list[Found], index: Index) -> list[Claim]:
    """Each reference a paragraph cites exists and contributes to it (module rules)."""
    out = []
    for n in _unique(text.refs):
        claim = Claim(
            text=f"[{n}]",
            where=text.where,
            supported=True,
            kind="citation",
            pointer=text.pointer,
            normalised=f"ref:{n}",
        )
        if n not in index.references:
            claim = _set(claim, supported=False, reason=f"there is no reference [{n}]")
        elif n in index.evidence:
            claim = _contribution(claim, text, found, index, n)
        out.append(claim)
    return out


def _contribution(claim: Claim, text: Text, found: list[Found], index: Index, n: int) -> Claim:
    """Does reference ``n`` contribute to the paragraph? It shares one of the paragraph's
    sentences; or, in the paragraph's language, states one of its quotations or one of its
    figures in a like context; or supports two of its claims (its outlet named, and its
    publication date, count as one each)."""
    ev = index.evidence[n]
    across = (ev.item.language == "zh") != bool(_HAN.search(text.text))
    points: set[str] = set()
    for f in found:
        hit = index.hit(f, n)
        if hit is None or hit.grade <= 0:
            continue
        in_context = f.kind == "figure" and hit.support_context >= SAME_CONTEXT
        if not across and (f.kind == "quote" or in_context):
            points.update(("strong", f.label))
        elif f.mention is not None and f.mention.entity in ev.outlets:
            points.add("outlet")
        else:
            points.add(f.label)
        if len(points) >= 2:
            return _contributes(claim, n, ev, f"supports “{f.text}”")
    for a, b in _sentences(text.text):
        grams = bigrams(text.text[a:b])
        if len(grams) >= MIN_BIGRAMS and len(grams & ev.bigrams) >= OVERLAP * len(grams):
            return _contributes(claim, n, ev, f"shares “{text.text[a:b].strip()[:40]}”")
    return _set(
        claim, supported=False, reason=f"reference [{n}] supports nothing in this paragraph"
    )


def _contributes(claim: Claim, n: int, ev: Evidence, evidence: str) -> Claim:
    """``claim`` of the citation ``[n]`` supported by ``ev`` (``evidence`` says how)."""
    return _set(
        claim, evidence=evidence, evidence_ref=n, evidence_url=ev.item.url, support_refs=(n,)
    )


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, at = [], 0
    while at < len(text):
        a, b = sentence_at(text, at)
        if b <= at:
            break
        spans.append((a, b))
        at = b
    return spans


def _check_references(
    references: Sequence[Reference], all_texts: list[Text], index: Index
) -> list[Claim]:
    cited = {n for t in all_texts if t.part == "paragraph" for n in t.refs}
    out = []
    for i, ref in enumerate(references):
        claim = Claim(
            text=f"[{ref.n}] {ref.source}",
            where=f"参考文献 [{ref.n}]",
            supported=True,
            kind="reference",
            pointer=f"/references/{i}",
            normalised=ref.url,
            evidence_url=ref.url,
            evidence_ref=ref.n,
        )
        out.append(_set(claim, **_reference_problem(ref, cited, index)))
    return out


def _reference_problem(ref: Reference, cited: set[int], index: Index) -> dict[str, object]:
    ev = index.evidence.get(ref.n)
    if ev is None:
        return {"supported": False, "reason": "the item of this reference is not in the store"}
    if " ".join(ref.title.split()) != " ".join(ev.item.title.split()):
        return {"supported": False, "reason": f"the item's title is “{ev.item.title}”"}
    if ref.date != ev.published:
        return {"supported": False, "reason": f"the item was published on {ev.published}"}
    if ref.n not in cited:
        return {"supported": False, "reason": "no paragraph cites this reference"}
    return {"evidence": ev.item.title, "evidence_field": "title"}
