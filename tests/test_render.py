"""Renderers (md, html, json), the briefing JSON schema and render_all.

The PDF, WeChat and DOCX renderers have their own test files; the sample briefings are
in :mod:`tests.render_samples`.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from datetime import date
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped, unused-ignore]
import pytest
from pydantic import ValidationError

from dongtai.config import BrandColors, Branding, QrTarget, load_settings
from dongtai.errors import PartialRender, PluginError
from dongtai.models import Briefing, Claim, Verification
from dongtai.plugins import RENDERERS, available, load_renderer
from dongtai.render import BrandedRenderer, issue_number, qr, render_all
from dongtai.render.html import HtmlRenderer
from dongtai.render.jsonout import CONTRACT_KEYS, JsonRenderer
from dongtai.render.markdown import MarkdownRenderer

from . import render_samples
from .render_samples import HOSTILE, REF_URLS, TYPST_MARKUP

HOSTILE_ALL = [*HOSTILE, *TYPST_MARKUP]

real_replace = os.replace


@pytest.fixture
def briefing() -> Briefing:
    return render_samples.small()


@pytest.fixture
def branding() -> Branding:
    return Branding()


@pytest.fixture
def failed(briefing: Briefing) -> Briefing:
    claims = (
        Claim(text="120 万片", where="2.1", supported=False),
        Claim(text="70%", where="摘要", supported=False),
    )
    return briefing.model_copy(
        update={"verification": Verification(passed=False, checked=5, unsupported=claims)}
    )


@pytest.fixture
def hostile() -> Briefing:
    return render_samples.hostile(HOSTILE_ALL)


@pytest.fixture(scope="module", autouse=True)
def _installed() -> None:
    if "md" not in available(RENDERERS):
        pytest.fail("entry points missing: run .venv/bin/pip install -e . --no-deps")


def md(b: Briefing, branding: Branding) -> str:
    return MarkdownRenderer.from_settings(branding).render(b).decode("utf-8")


def html(b: Briefing, branding: Branding) -> str:
    return HtmlRenderer.from_settings(branding).render(b).decode("utf-8")


class _Tags(HTMLParser):
    """Collects start tags with their attributes and the page's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


# ---------------------------------------------------------------- markdown


def test_markdown_structure(briefing: Briefing, branding: Branding) -> None:
    out = md(briefing, branding)
    lines = out.splitlines()
    assert lines[0] == "# 新质生产力每日动态"
    for line in [
        branding.issuer,
        "博雅云创 & 中科创新驱动",
        "2026 年 5 月 6 日　第 126 期",
        "## 摘要",
        "## 目录",
        "- 1 智库报告：美国科技公司应继续在华运营",
        "    - 1.2 影响分析",
        "- 2 中国硅片国产化 70% 目标",
        "    - 2.1 目标与产能",
        "## 1 智库报告：美国科技公司应继续在华运营",
        "### 1.1 报告要点",
        "### 2.2 产业生态",
        "据 ITIF 报道。[1][2]",
        "## 参考文献",
        "1. ITIF (2026-05-04): [Keep Operating](https://itif.org/a)",
        "3. Nikkei Asia (2026-05-05): [Wafers 70%](https://www.nikkei.com/c)",
        branding.about,
        "网站地址：<https://gyznsw.cn>",
        "## 联系我们，请扫描二维码",
        "- 新质生产力工作委员会 官方公众号：<https://mp.weixin.qq.com/>",
        "- 工业智能算网 gyznsw.cn：<https://gyznsw.cn>",
    ]:
        assert line in lines, line
    assert (
        lines.index("## 摘要")
        < lines.index("## 目录")
        < lines.index("## 1 智库报告：美国科技公司应继续在华运营")
    )
    assert lines.index("## 2 中国硅片国产化 70% 目标") < lines.index("## 参考文献")
    assert "核验未通过" not in out
    assert out.endswith("\n") and not out.endswith("\n\n")


def test_markdown_hostile_text_is_escaped(hostile: Briefing, branding: Branding) -> None:
    out = md(hostile, branding)
    for escaped in [r"\<script\>alert(1)\</script\>", r"\*bold\*", r"\$x\$", r"\[x\](y)"]:
        assert escaped in out
    assert "\n\\# not a heading[2]" in out
    assert "back\\\\slash\\\\\\\\" in out
    assert "🚀" in out and "𠀀" in out
    assert not re.search(r"^# not", out, re.MULTILINE)
    assert "<script>" not in out


def test_markdown_escaping_is_lossless(hostile: Briefing, branding: Branding) -> None:
    out = md(hostile, branding)
    unescaped = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", out)
    for text in HOSTILE_ALL:
        assert text in unescaped


def test_markdown_hostile_text_renders_literally(hostile: Briefing, branding: Branding) -> None:
    markdown_it = pytest.importorskip("markdown_it")
    page = markdown_it.MarkdownIt("commonmark").render(md(hostile, branding))
    tags = _parse(page)
    text = "".join(tags.text)
    for literal in HOSTILE_ALL:
        assert literal in text
    assert [t for t, _ in tags.tags].count("h1") == 1
    assert not {"script", "em", "strong", "code", "img"} & {t for t, _ in tags.tags[1:]}
    hrefs = [a.get("href") for t, a in tags.tags if t == "a"]
    assert "y" not in hrefs


def test_markdown_warning_when_verification_failed(failed: Briefing, branding: Branding) -> None:
    out = md(failed, branding)
    banner = out.index("⚠ 核验未通过")
    assert banner < out.index("## 摘要")
    assert "「120 万片」（2.1）" in out and "「70%」（摘要）" in out
    assert "> **⚠ 核验未通过：2 处" in out


# ---------------------------------------------------------------- html


def test_html_structure(briefing: Briefing, branding: Branding) -> None:
    page = html(briefing, branding)
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in page
    assert "<h1>新质生产力每日动态</h1>" in page
    assert "2026 年 5 月 6 日" in page and "博雅云创 &amp; 中科创新驱动" in page
    assert '<h2 id="abstract">摘要</h2>' in page and '<h2 id="toc">目录</h2>' in page
    assert '<a href="#sec-1-2"><span class="num">1.2</span>影响分析</a>' in page
    assert '<h3><span class="num">2.1</span>目标与产能</h3>' in page
    assert (
        '据 ITIF 报道。<sup><a href="#ref-1">[1]</a></sup><sup><a href="#ref-2">[2]</a></sup>'
        in page
    )
    assert '<li id="ref-1" value="1">ITIF (2026-05-04): <a href="https://itif.org/a">' in page
    assert "核验未通过" not in page
    for css in ['"Noto Serif CJK SC"', "line-height: 1.8", "max-width: 46em", "@media print"]:
        assert css in page


def test_html_contact_block_draws_the_configured_qr_codes(
    briefing: Briefing, branding: Branding
) -> None:
    page = html(briefing, branding)
    contact = page[page.index('<section class="contact">') :]
    assert contact.index("联系我们，请扫描二维码") < contact.index("</section>")
    for target in branding.qr_codes:
        assert f'<a href="{target.url}">{qr.svg(target.url, branding.colors.text)}' in contact
    assert "新质生产力工作委员会<br>官方公众号" in contact


def test_branding_reaches_markdown_and_html(briefing: Briefing) -> None:
    custom = Branding(
        title="量子日报",
        partners=[],
        colors=BrandColors(primary="#004488"),
        qr_codes=[QrTarget(label="官网", url="https://example.org/q")],
        issue_first=date(2026, 5, 1),
        issue_label="{year} 年第 {n} 期",
    )
    page, text = html(briefing, custom), md(briefing, custom)
    line = "2026 年 5 月 6 日　2026 年第 6 期"
    assert line in page and line in text
    assert "border-bottom: 3px double #004488" in page and "#8b1a1a" not in page
    assert "- 官网：<https://example.org/q>" in text
    unnumbered = Branding(issue_first=None)
    assert "2026 年 5 月 6 日</time>" in html(briefing, unnumbered)


def test_readme_branding_example_is_valid() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    blocks = [b.split("```", 1)[0] for b in readme.split("```toml\n")[1:]]
    block = next(b for b in blocks if b.startswith("[branding]"))
    custom = Branding.model_validate(tomllib.loads(block)["branding"])
    assert custom.issue_first == date(2026, 3, 1) and custom.colors.text == "#1a1a1a"
    assert custom.qr_codes[1].label == "网站\nexample.org"
    assert issue_number(date(2026, 5, 6), custom) == "2026 年第 126 期"


def test_relative_branding_paths_are_in_home(tmp_path: Path) -> None:
    (tmp_path / "dongtai.toml").write_text(
        '[branding]\nlogo = "brand/logo.svg"\nfont_dirs = ["fonts", "/opt/fonts"]\n',
        encoding="utf-8",
    )
    settings = load_settings(home=tmp_path)
    assert settings.branding.logo == Path("brand/logo.svg")
    branding = settings.branding_in_home()
    assert branding.logo == tmp_path / "brand" / "logo.svg"
    assert branding.font_dirs == [tmp_path / "fonts", Path("/opt/fonts")]


@pytest.mark.parametrize("label", ["第 {x} 期", "第 {0} 期", "第 {n 期"])
def test_issue_label_with_unknown_placeholder_is_rejected(label: str) -> None:
    with pytest.raises(ValidationError):
        Branding(issue_label=label)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "gyznsw.cn", "ftp://x.org/"])
def test_qr_target_must_be_http(url: str) -> None:
    with pytest.raises(ValidationError):
        QrTarget(label="x", url=url)


def test_no_news_issue_has_no_contents_nor_references(branding: Branding) -> None:
    empty = render_samples.no_news()
    text, page = md(empty, branding), html(empty, branding)
    for out in (text, page):
        assert empty.abstract in out
        assert "目录" not in out and "参考文献" not in out
    assert "## 关于本刊" in text and '<h2 id="about">关于本刊</h2>' in page


def test_html_anchors_resolve(briefing: Briefing, branding: Branding) -> None:
    tags = _parse(html(briefing, branding)).tags
    ids = [a["id"] for _, a in tags if a.get("id")]
    assert len(ids) == len(set(ids))
    hrefs = [a.get("href") or "" for t, a in tags if t == "a"]
    local = {href[1:] for href in hrefs if href.startswith("#")}
    assert local and local <= set(ids)
    assert {"sec-1", "sec-2-2", "ref-1", "ref-3"} <= local


def test_html_is_self_contained(briefing: Briefing, branding: Branding) -> None:
    page = html(briefing, branding)
    tags = _parse(page).tags
    assert "<link" not in page and "<script" not in page
    assert "src=" not in page and "@import" not in page and "url(" not in page
    assert {t for t, _ in tags} <= {
        "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p",
        "time", "section", "ul", "li", "nav", "ol", "a", "span", "main", "sup", "footer",
        "svg", "g", "path", "br",
    }  # fmt: skip
    external = {a["href"] for t, a in tags if t == "a" and (a.get("href") or "#")[0] != "#"}
    assert external == {*REF_URLS, branding.site_url, *(q.url for q in branding.qr_codes)}


def test_html_hostile_text_is_escaped(hostile: Briefing, branding: Branding) -> None:
    page = html(hostile, branding)
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    text = "".join(_parse(page).text)
    for literal in HOSTILE_ALL:
        assert literal in text


def test_html_links_only_http(briefing: Briefing, branding: Branding) -> None:
    ref = briefing.references[0].model_copy(update={"url": "javascript:alert(1)"})
    b = briefing.model_copy(update={"references": (ref, *briefing.references[1:])})
    assert "javascript:" not in html(b, branding)
    assert "javascript:" not in md(b, branding)


def test_html_warning_when_verification_failed(failed: Briefing, branding: Branding) -> None:
    page = html(failed, branding)
    assert '<section class="warning" role="alert">' in page
    assert page.index("⚠ 核验未通过") < page.index('<h2 id="abstract">')
    assert "<li>「120 万片」（2.1）</li>" in page


# ---------------------------------------------------------------- json + schema


def _schema() -> dict[str, Any]:
    text = files("dongtai").joinpath("data/briefing.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _validator() -> jsonschema.Draft202012Validator:
    schema = _schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    return jsonschema.Draft202012Validator(schema, format_checker=checker)


@pytest.mark.parametrize("fixture", ["briefing", "failed", "hostile"])
def test_json_validates_and_round_trips(
    fixture: str, branding: Branding, request: pytest.FixtureRequest
) -> None:
    b: Briefing = request.getfixturevalue(fixture)
    raw = JsonRenderer.from_settings(branding).render(b).decode("utf-8")
    data = json.loads(raw)
    _validator().validate(data)
    assert tuple(data)[: len(CONTRACT_KEYS)] == CONTRACT_KEYS  # the contract first, then extras
    assert Briefing.model_validate(data) == b
    assert raw.endswith("}\n") and '\n  "date": "2026-05-06",' in raw
    assert "新质生产力每日动态" in raw  # not \u-escaped


def _broken(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(data))
    *keys, last = [int(k) if k.isdigit() else k for k in path.split("/")]
    target: Any = data
    for key in keys:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("verification", KeyError),
        ("date", "6 May 2026"),
        ("date", "2026-13-45"),
        ("sections/0/number", "1.1"),
        ("sections/0/subsections/0/number", "1"),
        ("sections/0/subsections/0/paragraphs/0/refs", []),
        ("sections/0/subsections/0/paragraphs/0/refs", [0]),
        ("sections/0/subsections/0/paragraphs/0/text", ""),
        ("references/0/url", KeyError),
        ("verification/checked", -1),
        ("verification/passed", "yes"),
        ("verification/unsupported", None),
    ],
)
def test_schema_rejects(briefing: Briefing, branding: Branding, path: str, value: Any) -> None:
    data = json.loads(JsonRenderer.from_settings(branding).render(briefing))
    with pytest.raises(jsonschema.ValidationError):
        _validator().validate(_broken(data, path, value))


def test_schema_allows_future_fields(briefing: Briefing, branding: Branding) -> None:
    data = json.loads(JsonRenderer.from_settings(branding).render(briefing))
    _validator().validate({**data, "edition": 2})


# ---------------------------------------------------------------- render_all


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_render_all_writes_requested_files(
    briefing: Briefing, branding: Branding, tmp_path: Path
) -> None:
    out = tmp_path / "briefings" / "2026-05-06"
    paths = render_all(briefing, branding, ["md", "json", "md"], out)
    assert paths == [out / "briefing.md", out / "briefing.json"]
    assert _listing(out) == ["briefing.json", "briefing.md"]
    assert paths[0].read_bytes() == MarkdownRenderer.from_settings(branding).render(briefing)
    render_all(briefing, branding, ["html"], out)
    assert _listing(out) == ["briefing.html", "briefing.json", "briefing.md"]


def test_render_all_unknown_format(briefing: Briefing, branding: Branding, tmp_path: Path) -> None:
    with pytest.raises(PluginError, match="pdfx"):
        render_all(briefing, branding, ["md", "pdfx"], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_failing_renderer_never_prevents_the_others(
    briefing: Briefing, branding: Branding, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Boom(BrandedRenderer):
        name = "boom"
        extension = "boom"

        def render(self, briefing: Briefing) -> bytes:
            raise ValueError("cannot draw U+FFFF")

    monkeypatch.setattr(
        "dongtai.render.load_renderer", lambda n: Boom if n == "boom" else load_renderer(n)
    )
    out = tmp_path / "2026-05-06"
    out.mkdir()
    (out / "briefing.md").write_text("old", encoding="utf-8")
    (out / "briefing.boom").write_text("old", encoding="utf-8")
    (out / "briefing.pdf").write_text("old pdf", encoding="utf-8")
    with pytest.raises(PartialRender, match=r"boom: ValueError: cannot draw U\+FFFF") as caught:
        render_all(briefing, branding, ["md", "boom", "json"], out)
    assert caught.value.written == [out / "briefing.md", out / "briefing.json"]
    assert _listing(out) == ["briefing.json", "briefing.md", "briefing.pdf"]  # stale boom gone
    assert (out / "briefing.md").read_bytes() == MarkdownRenderer.from_settings(branding).render(
        briefing
    )
    assert _listing(tmp_path) == ["2026-05-06"]  # no temporary folder left


def test_a_set_is_swapped_in_whole_or_not_at_all(
    briefing: Briefing, branding: Branding, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "2026-05-06"
    render_all(briefing, branding, ["md"], out)
    before = (out / "briefing.md").read_bytes()
    calls: list[Path] = []

    def disk_full_on_the_swap(src: Path, dst: Path) -> None:
        calls.append(Path(dst))
        if Path(src).name.endswith(".tmp"):  # the new set's folder cannot be moved in
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr("os.replace", disk_full_on_the_swap)
    with pytest.raises(OSError, match="disk full"):
        render_all(briefing, branding, ["md", "html"], out)
    assert _listing(out) == ["briefing.md"] and (out / "briefing.md").read_bytes() == before
    assert _listing(tmp_path) == ["2026-05-06"]


def test_stale_temporaries_of_a_killed_run_are_cleaned_or_restored(
    briefing: Briefing, branding: Branding, tmp_path: Path
) -> None:
    out = tmp_path / "2026-05-06"
    render_all(briefing, branding, ["md"], out)
    (tmp_path / ".2026-05-06.dead.tmp").mkdir()
    (tmp_path / ".2026-05-06.dead.tmp" / "briefing.md").write_text("half")
    (out / ".briefing.md.abc.tmp").write_text("half")
    real_replace(out, tmp_path / ".2026-05-06.cut.old")  # killed between the two renames
    render_all(briefing, branding, ["html"], out)
    assert _listing(tmp_path) == ["2026-05-06"]
    assert _listing(out) == ["briefing.html", "briefing.md"]
