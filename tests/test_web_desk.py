"""Accounts and the editor's desk: users added by the CLI, login with CSRF, rate limit
and secure cookies; edits re-verified on save, approval with overrides and corrections,
published versions immutable, every change recorded; story labels; section edits."""

from __future__ import annotations

import pytest

from dongtai.config import Settings
from dongtai.models import Briefing
from dongtai.newsroom import Newsroom, revise
from dongtai.newsroom.editor import Editor
from tests.conftest import DEMO_DATE
from tests.websupport import PASSWORD, add_user, client, csrf_of, logged_in

DAY = DEMO_DATE.isoformat()
SEMI = "/sections/1/subsections/1/paragraphs/0/text"  # SEMI's wafer shipments paragraph


def _draft_text(settings: Settings, pointer: str) -> str:
    return revise.text_at(Editor(Newsroom(settings)).draft(DEMO_DATE).briefing, pointer)


def test_login_needs_the_right_password_a_csrf_token_and_gives_a_secure_cookie(
    sqlite_workspace: Settings,
) -> None:
    add_user(sqlite_workspace)
    web = client(sqlite_workspace)
    assert web.get("/desk", follow_redirects=False).headers["location"] == "/login"
    token = csrf_of(web.get("/login").text)
    wrong = web.post("/login", data={"name": "alice", "password": "nope-nope", "csrf": token})
    assert "用户名或密码不对" in wrong.text
    forged = web.post(
        "/login",
        data={"name": "alice", "password": PASSWORD, "csrf": "forged"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    done = web.post(
        "/login",
        data={"name": "alice", "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    cookie = done.headers["set-cookie"].lower()
    assert "dongtai_session=" in cookie
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
    assert web.get("/desk").status_code == 200


def test_logins_are_rate_limited(sqlite_workspace: Settings) -> None:
    add_user(sqlite_workspace)
    web = client(sqlite_workspace)
    token = csrf_of(web.get("/login").text)
    codes = [
        web.post(
            "/login", data={"name": "alice", "password": f"bad-{i}", "csrf": token}
        ).status_code
        for i in range(6)
    ]
    assert codes == [200] * 5 + [429]
    right = web.post("/login", data={"name": "alice", "password": PASSWORD, "csrf": token})
    assert right.status_code == 429  # still blocked, even with the right password


def test_desk_forms_need_the_session_csrf_token_and_same_origin(
    sqlite_workspace: Settings,
) -> None:
    web = logged_in(sqlite_workspace)
    data = {"pointer": "/abstract", "text": "改写", "csrf": "wrong"}
    assert web.post(f"/desk/{DAY}/edit", data=data).status_code == 403
    data["csrf"] = csrf_of(web.get(f"/desk/{DAY}").text)
    evil = web.post(f"/desk/{DAY}/edit", data=data, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    assert _draft_text(sqlite_workspace, "/abstract") != "改写"


def test_users_add_refuses_bad_roles_and_short_passwords(sqlite_workspace: Settings) -> None:
    from typer.testing import CliRunner

    from dongtai.cli import app

    home = ["--home", str(sqlite_workspace.home)]
    bad_role = CliRunner().invoke(
        app, [*home, "users", "add", "bob", "--role", "boss"], input=PASSWORD + "\n"
    )
    assert bad_role.exit_code != 0
    short = CliRunner().invoke(app, [*home, "users", "add", "bob"], input="short\n")
    assert short.exit_code != 0


def test_a_wrong_figure_turns_red_with_a_reason_then_green_then_approve_and_correct(
    workspace: Settings,
) -> None:
    web = logged_in(workspace)
    desk = web.get(f"/desk/{DAY}")
    assert 'data-status="passed"' in desk.text and 'class="claim bad"' not in desk.text
    csrf = csrf_of(desk.text)
    original = _draft_text(workspace, SEMI)
    wrong = original.replace("33.02 亿平方英寸", "35.02 亿平方英寸")
    saved = web.post(f"/desk/{DAY}/edit", data={"pointer": SEMI, "text": wrong, "csrf": csrf})
    assert 'data-status="failed"' in saved.text
    assert '<span class="claim bad"' in saved.text and "35.02 亿平方英寸" in saved.text
    assert "no cited item states this figure" in saved.text  # the reason, on the page
    # approval refused without an override; the readers' page is still the build
    refused = web.post(f"/desk/{DAY}/approve", data={"csrf": csrf})
    assert "failed verification" in refused.text
    assert "35.02" not in web.get(f"/issues/{DAY}").text
    # fixed: green again
    fixed = web.post(f"/desk/{DAY}/edit", data={"pointer": SEMI, "text": original, "csrf": csrf})
    assert 'data-status="passed"' in fixed.text and 'class="claim bad"' not in fixed.text
    published = web.post(f"/desk/{DAY}/approve", data={"csrf": csrf})
    assert published.url.path == f"/issues/{DAY}"
    pdf = workspace.briefings_dir / DAY / "v1" / "briefing.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert (workspace.briefings_dir / DAY / "briefing.docx").is_file()
    # a correction: a new version with a dated note; v1 stays as it was
    better = original.replace("同比增长 13%", "同比增长 13%（据 SEMI 统计）")
    web.post(f"/desk/{DAY}/edit", data={"pointer": SEMI, "text": better, "csrf": csrf})
    again = web.post(f"/desk/{DAY}/approve", data={"csrf": csrf})
    assert "correction" in again.text  # a note is required
    assert "（据 SEMI 统计）" not in web.get(f"/api/issues/{DAY}").text
    note = "补充了硅片出货面积数据的统计来源。"
    web.post(f"/desk/{DAY}/approve", data={"csrf": csrf, "correction": note})
    reader = web.get(f"/issues/{DAY}").text
    assert "更正（" in reader and note in reader and 'data-version="2"' in reader
    assert "（据 SEMI 统计）" in reader
    assert (workspace.briefings_dir / DAY / "v2" / "briefing.pdf").is_file()
    newsroom = Newsroom(workspace)
    first = newsroom.desk.publications(DEMO_DATE)[0]
    v1 = Briefing.model_validate(newsroom.desk.revision(first.revision_id).document)  # type: ignore[union-attr]
    assert revise.text_at(v1, SEMI) == original
    actions = [(c.user, c.action) for c in newsroom.desk.changes(DEMO_DATE)]
    assert actions == [("alice", "edit")] * 2 + [
        ("alice", "approve"),
        ("alice", "edit"),
        ("alice", "approve"),
    ]
    wrong_change = newsroom.desk.changes(DEMO_DATE)[0]
    assert wrong_change.before == original and wrong_change.after == wrong


def test_override_is_recorded_and_shown_as_a_warning(sqlite_workspace: Settings) -> None:
    web = logged_in(sqlite_workspace)
    csrf = csrf_of(web.get(f"/desk/{DAY}").text)
    wrong = _draft_text(sqlite_workspace, SEMI).replace("33.02", "35.02")
    web.post(f"/desk/{DAY}/edit", data={"pointer": SEMI, "text": wrong, "csrf": csrf})
    reason = "SEMI 于当日更正了数据，来源尚未更新"
    web.post(f"/desk/{DAY}/approve", data={"csrf": csrf, "override_reason": reason})
    newsroom = Newsroom(sqlite_workspace)
    [publication] = newsroom.desk.publications(DEMO_DATE)
    assert publication.override_reason == reason
    api = web.get(f"/api/issues/{DAY}").json()
    assert api["verification"]["allow_unverified"] is True
    assert "核验未通过" in web.get(f"/issues/{DAY}").text


def test_dropping_and_moving_sections_renumbers_references(sqlite_workspace: Settings) -> None:
    editor = Editor(Newsroom(sqlite_workspace))
    before = editor.draft(DEMO_DATE).briefing
    editor.move_section(DEMO_DATE, 3, 0, "alice")
    moved = editor.draft(DEMO_DATE).briefing
    assert moved.sections[0].title == before.sections[3].title
    assert [s.number for s in moved.sections] == [
        str(n) for n in range(1, len(before.sections) + 1)
    ]
    assert moved.sections[0].subsections[0].paragraphs[0].refs[0] == 1
    assert {r.url for r in moved.references} == {r.url for r in before.references}
    editor.drop_section(DEMO_DATE, 0, "alice")
    dropped = editor.draft(DEMO_DATE).briefing
    cited = sorted(
        {
            n
            for s in dropped.sections
            for sub in s.subsections
            for p in sub.paragraphs
            for n in p.refs
        }
    )
    assert cited == [r.n for r in dropped.references] == list(range(1, len(cited) + 1))
    assert len(dropped.references) < len(before.references)
    # the abstract still names the dropped story: the gate says so
    assert any(c.pointer == "/abstract" for c in dropped.verification.unsupported)


def test_stories_view_and_labels(sqlite_workspace: Settings) -> None:
    web = logged_in(sqlite_workspace)
    page = web.get(f"/desk/{DAY}/stories").text
    assert page.count('class="selected"') >= 4 and "得分" in page
    newsroom = Newsroom(sqlite_workspace)
    story = next(
        s
        for s in Editor(newsroom).stories(DEMO_DATE, Editor(newsroom).draft(DEMO_DATE).briefing)
        if len(s.item_urls) > 1
    )
    data = {
        "item_a": story.item_urls[0],
        "item_b": story.item_urls[1],
        "label": "different",
        "csrf": csrf_of(page),
    }
    web.post(f"/desk/{DAY}/stories/label", data=data)
    [label] = newsroom.desk.story_labels()
    assert (label.item_a, label.item_b, label.label, label.user) == (
        story.item_urls[0],
        story.item_urls[1],
        "different",
        "alice",
    )
    bad = web.post(f"/desk/{DAY}/stories/label", data={**data, "label": "maybe"})
    assert 'role="alert"' in bad.text and "&#39;same&#39; or &#39;different&#39;" in bad.text


@pytest.mark.parametrize("pointer", ["/title", "/sections/9/title", "/references/0/title"])
def test_only_briefing_texts_can_be_edited(sqlite_workspace: Settings, pointer: str) -> None:
    web = logged_in(sqlite_workspace)
    csrf = csrf_of(web.get(f"/desk/{DAY}").text)
    page = web.post(f"/desk/{DAY}/edit", data={"pointer": pointer, "text": "x", "csrf": csrf})
    assert 'role="alert"' in page.text
    assert Newsroom(sqlite_workspace).desk.changes(DEMO_DATE) == []


def test_the_desk_verdict_is_the_gate_verdict_on_a_fresh_index(
    sqlite_workspace: Settings,
) -> None:
    """Saves reuse the gate's index of the cited items; the verdict must not change."""
    newsroom = Newsroom(sqlite_workspace)
    editor = Editor(newsroom)
    original = _draft_text(sqlite_workspace, SEMI)
    for text in (original.replace("13%", "31%"), original):
        editor.edit_text(DEMO_DATE, SEMI, text, "alice")
        briefing = editor.draft(DEMO_DATE).briefing
        fresh = Editor(Newsroom(sqlite_workspace)).reverify(briefing)  # a new index
        assert briefing.verification == fresh
        assert ("31%" in [c.text for c in fresh.unsupported]) == (text != original)
    assert not briefing.verification.unsupported


def test_approval_hands_the_issue_to_publishing(sqlite_workspace: Settings) -> None:
    """The desk's approval is the publishing library's approval of the same version."""
    from dongtai.publish import latest_approval
    from dongtai.store import open_store

    editor = Editor(Newsroom(sqlite_workspace))
    edited = _draft_text(sqlite_workspace, SEMI).replace("同比增长 13%", "同比增长 13%，延续增长")
    editor.edit_text(DEMO_DATE, SEMI, edited, "alice")
    editor.approve(DEMO_DATE, "alice")
    approval = latest_approval(sqlite_workspace, DEMO_DATE)
    assert approval is not None and approval.by == "alice"
    stored = open_store(sqlite_workspace.db_url).load_briefing(DEMO_DATE)
    assert stored is not None and revise.text_at(stored[0], SEMI) == edited
