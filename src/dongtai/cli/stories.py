"""Commands that show the machine's judgement: ``stories`` and ``explain``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from dongtai.cli.app import app, out, say, settings
from dongtai.cli.build import parse_date

if TYPE_CHECKING:
    from dongtai import stories


@app.command("stories")
def list_stories(
    on: Annotated[str, typer.Option("--date", help="Issue date YYYY-MM-DD.")],
    window_hours: Annotated[
        int | None, typer.Option(help="Hours before the issue date (default 48).")
    ] = None,
    include_off_topic: Annotated[
        bool, typer.Option("--include-off-topic", help="Cluster off-topic items too.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every story of the window with score and reasons, the off-topic items, and the
    stories of two or more outlets not in the issue, with the reason."""
    from dongtai import stories

    s = settings(window_hours=window_hours)
    listing = stories.list_stories(s, parse_date(on), include_off_topic)
    if as_json:
        say(json.dumps(_listing_json(listing), ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    table = Table(title=f"stories · {listing.date}")
    for column in ("id", "score", "topic", "outlets", "title"):
        table.add_column(column)
    for story in listing.stories:
        mark = "续报 " if story.follow_up_of else ""
        outlets = ", ".join(story.outlets())
        table.add_row(
            story.id, f"{story.score:.2f}", story.topic, outlets, mark + story.items[0].title
        )
    out.print(table)
    say(f"{len(listing.off_topic)} item(s) off topic; {len(listing.left_out)} story(ies) left out")
    for note in listing.left_out:
        say(f"  {note}")
    say(f"{len(listing.not_carried)} story(ies) of two or more outlets not in the issue")
    for entry in listing.not_carried:
        say(f"  {entry.story} {entry.title} ({', '.join(entry.outlets)}): {entry.reason}")


def _listing_json(listing: stories.Listing) -> dict[str, object]:
    return {
        "date": listing.date.isoformat(),
        "stories": [
            {
                "id": s.id,
                "title": s.items[0].title,
                "topic": s.topic,
                "score": s.score,
                "reasons": list(s.reasons),
                "urls": [i.url for i in s.items],
                "outlets": list(s.outlets()),
                "follow_up_of": s.follow_up_of.isoformat() if s.follow_up_of else None,
            }
            for s in listing.stories
        ],
        "off_topic": [o.model_dump() for o in listing.off_topic],
        "left_out": list(listing.left_out),
        "not_carried": [entry.model_dump() for entry in listing.not_carried],
    }


@app.command()
def explain(
    story: Annotated[str, typer.Argument(help="Story id (or its first characters).")],
    on: Annotated[str, typer.Option("--date", help="Issue date YYYY-MM-DD.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Why the items of a story were merged: similarity, shared figures and organisations."""
    from dongtai import stories

    result = stories.explain(settings(), parse_date(on), story)
    if as_json:
        say(result.model_dump_json(indent=2))
        return
    say(f"story {result.story.id} · {result.story.topic} · score {result.story.score:.2f}")
    for reason in result.story.reasons:
        say(f"  {reason}")
    for item in result.story.items:
        say(f"  [{item.source}] {item.title}  {item.url}")
        for copy in item.copies:
            say(f"      copy [{copy.source}] {copy.url}: {copy.reason}")
    from rich.table import Table

    table = Table(title=f"pairs (merge threshold {result.threshold:g}, average link)")
    for column in ("first", "second", "sim", "cos", "figures", "organisations", "hours"):
        table.add_column(column)
    for pair in result.pairs:
        table.add_row(
            _short(pair.first),
            _short(pair.second),
            f"{pair.similarity:.2f}",
            f"{pair.cosine:.2f}",
            ", ".join(pair.figures),
            ", ".join(pair.organisations),
            f"{pair.hours_apart:g}",
        )
    out.print(table)


def _short(url: str) -> str:
    return url.split("//", 1)[-1][:40]
