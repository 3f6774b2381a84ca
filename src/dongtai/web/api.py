"""The JSON API: the list of issues and each issue as the briefing JSON contract,
described by the app's OpenAPI document (``/openapi.json``)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel

from dongtai.models import Briefing
from dongtai.newsroom.issues import load_issue
from dongtai.web.app import room

router = APIRouter(prefix="/api", tags=["issues"])


class IssueSummary(BaseModel):
    """One issue readers can open."""

    date: date
    url: str
    json_url: str


@router.get("/issues", response_model=list[IssueSummary])
def list_issues(request: Request) -> list[IssueSummary]:
    """Every issue readers can open, newest first."""
    return [
        IssueSummary(
            date=d, url=f"/issues/{d.isoformat()}", json_url=f"/api/issues/{d.isoformat()}"
        )
        for d in room(request).shown()
    ]


@router.get("/issues/{day}", response_model=Briefing, responses={404: {"description": "No issue"}})
def get_issue(request: Request, day: date) -> Briefing:
    """The issue of a date as readers see it: the briefing JSON (with ``verification.claims``)."""
    issue = load_issue(room(request).desk, day)
    if issue is None:
        raise HTTPException(404, f"no issue for {day.isoformat()}")
    return issue.briefing
