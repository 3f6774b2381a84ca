"""Briefings made up for the renderer tests and the render benchmark.

- :func:`small`: two sections, three references (the shape of a real issue, short);
- :func:`hostile`: every text full of characters that mean something in Markdown,
  HTML, Typst or Word, plus emoji and rare CJK characters;
- :func:`many_sections`: twelve sections with long titles (a long table of contents);
- :func:`no_news`: a day without qualifying news (no section, no reference).
"""

from __future__ import annotations

from datetime import date

from dongtai.models import Briefing, Paragraph, Reference, Section, Subsection, Verification

DAY = date(2026, 5, 6)
REF_URLS = ("https://itif.org/a", "https://www.scmp.com/b", "https://www.nikkei.com/c")

# Markup of every format the renderers write, emoji and characters outside the BMP.
HOSTILE = [
    "<script>alert(1)</script>",
    "# not a heading",
    "*bold*",
    "$x$",
    "back\\slash\\\\",
    "[x](y)",
    "emoji 🚀",
    "rare 𠀀",
]
# Typst syntax and rare characters the bundled fonts draw (Ext. A, C and E).
TYPST_MARKUP = [
    '#set page(width: 1cm) #panic("x")',
    "= heading",
    "@ref <label>",
    "`raw` _emph_ ~nbsp~",
    "$ x^2 $ // comment /* block */",
    "- item + item 1. item",
    '"quote" --- ...',
    "&amp; &lt; {{ x }} {% y %}",
    "名字里的生僻字：䶮、𫖯、𬌗",
]


def _para(text: str, *refs: int) -> Paragraph:
    return Paragraph(text=text, refs=refs)


def _ref(n: int, source: str, day: int, title: str, url: str) -> Reference:
    return Reference(n=n, source=source, date=date(2026, 5, day), title=title, url=url)


def small() -> Briefing:
    sub = Subsection
    return Briefing(
        date=DAY,
        title="新质生产力每日动态",
        abstract="智库报告称美国科技公司在华运营符合其利益；中国硅片国产化目标为 70%。",
        sections=(
            Section(
                number="1",
                title="智库报告：美国科技公司应继续在华运营",
                topic="policy",
                subsections=(
                    sub(
                        number="1.1", title="报告要点", paragraphs=(_para("据 ITIF 报道。", 1, 2),)
                    ),
                    sub(number="1.2", title="影响分析", paragraphs=(_para("外部压力加大。", 1),)),
                ),
            ),
            Section(
                number="2",
                title="中国硅片国产化 70% 目标",
                topic="semiconductors",
                subsections=(
                    sub(
                        number="2.1", title="目标与产能", paragraphs=(_para("月产 120 万片。", 3),)
                    ),
                    sub(number="2.2", title="产业生态", paragraphs=(_para("全链条推进。", 3),)),
                ),
            ),
        ),
        references=(
            _ref(1, "ITIF", 4, "Keep Operating", REF_URLS[0]),
            _ref(2, "SCMP", 5, "Stay in China", REF_URLS[1]),
            _ref(3, "Nikkei Asia", 5, "Wafers 70%", REF_URLS[2]),
        ),
        verification=Verification(passed=True, checked=5),
    )


def hostile(texts: list[str] = HOSTILE) -> Briefing:
    """:func:`small` with ``texts`` in the abstract, titles, paragraphs and a reference."""
    base = small()
    text = " ".join(texts)
    section = base.sections[0]
    sub = section.subsections[0].model_copy(
        update={"title": text, "paragraphs": (_para(text, 1), *(_para(h, 2) for h in texts))}
    )
    section = section.model_copy(update={"title": text, "subsections": (sub,)})
    ref = base.references[0].model_copy(update={"title": text})
    return base.model_copy(
        update={
            "abstract": text,
            "sections": (section, base.sections[1]),
            "references": (ref, *base.references[1:]),
        }
    )


def many_sections(count: int = 12) -> Briefing:
    """``count`` sections of two subsections each; every title is long."""
    sections = []
    for i in range(1, count + 1):
        long_title = (
            f"第 {i} 条：全球半导体与人工智能产业链在出口管制、补贴竞赛与需求回升之间"
            f"寻找新平衡（Global semiconductor supply chains rebalance, part {i}）"
        )
        body = "据多家机构报道，相关企业加快扩产与技术攻关，产业链上下游协同推进。" * 6
        subs = tuple(
            Subsection(
                number=f"{i}.{j}",
                title=f"{'报道要点' if j == 1 else '更多事实与背景'}：第 {i} 节第 {j} 小节",
                paragraphs=(_para(body, 2 * i - 1), _para(body, 2 * i)),
            )
            for j in (1, 2)
        )
        sections.append(Section(number=str(i), title=long_title, topic="ai", subsections=subs))
    refs = tuple(
        _ref(n, "Reuters", 5, f"Report {n}", f"https://example.org/{n}")
        for n in range(1, 2 * count + 1)
    )
    return Briefing(
        date=DAY,
        title="新质生产力每日动态",
        abstract="十二条动态。" * 20,
        sections=tuple(sections),
        references=refs,
        verification=Verification(passed=True, checked=0),
    )


def no_news() -> Briefing:
    return Briefing(
        date=DAY,
        title="新质生产力每日动态",
        abstract="2026年5月4日00:00至5月5日23:59，没有符合本刊收录标准的战略性产业新闻，本期不设正文。",
        sections=(),
        references=(),
        verification=Verification(passed=True, checked=0),
    )
