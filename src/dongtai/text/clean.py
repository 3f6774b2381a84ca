"""Cleaning of crawled news text: pure functions, applied at ingest (the raw text is
kept beside the cleaned one) and wherever sentences are cut.

:func:`clean_title` removes, in this order: a leading ``【栏目】`` tag, "原标题：",
a truncation ("…" / "..." and what follows), trailing picture marks ("(图)"), and
site suffixes — the segments after ``_``, `` - ``, ``——``, ``|`` or ``｜`` when the
first segment is a headline of its own (6+ characters): "…_搜狐科技_搜狐网",
" - 中国共产党宣城市委员会", "…_业界资讯_".

:func:`clean_text` applies, in this order:

1. escape sequences written out literally (``\\n``, ``\\t``, ``\\r``) become blanks;
2. "原标题：…" up to the end of its line (or the title itself when it follows) goes;
3. bracketed credits go: "（记者 王琳 通讯员 李威）", "（责任编辑：李明）", "(图)", and so
   do photo credits after a sentence: "东北网记者孙英鑫摄";
4. bracket tags of up to 20 characters go: "【慧聪通信网】", "【纠错】";
5. a dateline at the start goes, with a bracketed name after it: "新华社济南5月23日电",
   "长江网5月23日讯", "本报讯", "中国证券网讯", "东北网 5 月 23 日讯",
   "21世纪经济报道5月11日讯", "IT之家4月26日消息", "C114讯 4月17日午间消息（蒋均牧）";
6. bullets and decorations go (▼ ● ◆ ■ ★ → …, runs of "?" left by broken encodings),
   and list markers opening a line ("1、", "（2）", "①");
7. every sentence that is boilerplate goes whole: follow/share prompts ("点击上方蓝字
   关注", "置顶公众号", "长按识别二维码"), "来源：…", copyright and disclaimer lines,
   forum residue ("本帖最后由"), contact lines (QQ/微信/电话), "摘要：" labels are cut;
8. blanks are collapsed.

:func:`split_sentences` cuts Chinese after 。！？ (and English after . ! ? before a
capital) but never inside a quotation (“…”, 「…」, 『…』, 《…》, "…"): a closing quotation
mark right after the end mark stays with its sentence, so no sentence opens a quotation
it does not close.
"""

from __future__ import annotations

import re

__all__ = ["clean_text", "clean_title", "is_boilerplate", "split_sentences"]

_ESCAPES = re.compile(r"\\[nrt]")
_ORIGINAL_TITLE = re.compile(r"^\s*原标题[:：]\s*")
_CREDIT = re.compile(
    r"[（(][^（）()]{0,40}?(记者|通讯员|责任编辑|编辑|实习生|摄影|摄|来源|作者)[^（）()]{0,40}[）)]"
    r"|[（(](组)?图[）)]"
)
_TAG = re.compile(r"【[^】]{1,20}】|\[(纠错|打印|关闭|收藏)\]")
_DATE = r"(\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}日)"
_DATELINE = re.compile(
    rf"^\s*([\u4e00-\u9fffA-Za-z0-9·]{{1,14}}?\s*{_DATE}\s*(电|讯|消息)"
    r"|[\u4e00-\u9fff0-9]{1,12}(网|报|社|台|新闻|客户端)[\u4e00-\u9fff]{0,4}讯"
    rf"|[A-Za-z][A-Za-z0-9]{{1,10}}\s*讯(\s*{_DATE}[\u4e00-\u9fff]{{0,2}}消息)?"
    r"|本报讯)(\s*[（(][\u4e00-\u9fff·]{2,4}[）)])?[\s:：，,]*"
)
_PHOTO_CREDIT = re.compile(
    r"(?<![^。！？\s])([\u4e00-\u9fff]{1,8}?(网|报|社|台))?\s*(记者|通讯员)\s*"
    r"[\u4e00-\u9fff·]{2,4}?\s*摄(影)?"
)
_DECORATION = re.compile(r"[▼▲●◆■★☆→▶►•◇□○◎※▌▍丨]+|\?(\s*\?)+|(?<=\s)\?(?=\s)|…{2,}")
_LIST_MARKER = re.compile(
    r"(^|\n)\s*([0-9]{1,2}[、.．]|[（(][0-9一二三四五六七八九十]{1,2}[）)]|[①-⑳])\s*"
)
_LABEL = re.compile(r"(摘要|导读|核心提示|编者按)[:：]\s*")
_BOILERPLATE = re.compile(
    r"点击(上方|下方|左上方|右上方|蓝字|关注|图片|阅读原文)|关注我们|置顶公众号|公众号[:：]|"
    r"长按(识别)?二维码|扫(描)?二维码|扫码|欢迎订阅|订购方式|转载请|版权(归|所有)|声明[:：]|"
    r"免责|本帖最后由|all rights reserved|copyright|来源[:：]|图片来源|责任编辑|编辑[:：]|"
    r"微信[:：号]|qq[:：]|联系电话|咨询电话|热线[:：]|欢迎(您)?(来电|咨询)|未经(授权|许可)|"
    r"请拨打|我要爆料|下载[:：]|http|www\.|分享到|转发(扩散|给)",
    re.IGNORECASE,
)
_SITE_SPLIT = re.compile(r"_| - |——|\||｜")
_TRUNCATION = re.compile(r"(\.\.\.|…+).*$")

_OPEN = {"“": "”", "「": "」", "『": "』", "《": "》", "‘": "’"}
_CLOSE = set(_OPEN.values())
_ZH_END = "。！？!?"
_MARKS = re.compile("[" + re.escape("".join(_OPEN) + "".join(_CLOSE) + '"。！？!?.') + "]")


def clean_title(title: str) -> str:
    """A headline without column tags, truncations and site suffixes."""
    text = " ".join(_ESCAPES.sub(" ", title).split())
    text = _ORIGINAL_TITLE.sub("", _TAG.sub("", text)).strip()
    text = _TRUNCATION.sub("", text).strip()
    text = re.sub(r"[（(](组)?图[）)]$", "", text).strip()
    parts = [p.strip() for p in _SITE_SPLIT.split(text) if p.strip()]
    if len(parts) > 1 and len(parts[0]) >= 6:
        text = parts[0]
    return text.strip(" -_|｜:：") or " ".join(title.split())


def clean_text(text: str, title: str = "") -> str:
    """The body without boilerplate (rules in the module docstring)."""
    text = _ESCAPES.sub("\n", text)
    text = _drop_original_title(text, title)
    text = _CREDIT.sub("", text)
    text = _PHOTO_CREDIT.sub("", text)
    text = _TAG.sub("", text)
    text = _DATELINE.sub("", text, count=1)
    text = _DECORATION.sub(" ", text)
    text = _LIST_MARKER.sub(r"\1", text)
    text = _LABEL.sub("", text)
    kept = []
    for line in text.splitlines():
        sentences = [s for s in split_sentences(line) if not is_boilerplate(s)]
        if sentences:
            kept.append(_join(sentences))
    return "\n".join(" ".join(line.split()) for line in kept).strip()


def _join(sentences: list[str]) -> str:
    """Sentences joined back: a blank after an English sentence, none after Chinese."""
    out = sentences[0]
    for sentence in sentences[1:]:
        out += (" " if out[-1:].isascii() else "") + sentence
    return out


def is_boilerplate(sentence: str) -> bool:
    """Whether a sentence is a prompt, credit, contact or disclaimer line."""
    return bool(_BOILERPLATE.search(sentence))


def _drop_original_title(text: str, title: str) -> str:
    match = _ORIGINAL_TITLE.match(text)
    if match is None:
        return text
    rest = text[match.end() :]
    line_end = rest.find("\n")
    if 0 <= line_end <= 80:
        return rest[line_end + 1 :]
    plain = clean_title(title)
    if plain and rest.startswith(plain):
        return rest[len(plain) :]
    return rest


def split_sentences(text: str) -> list[str]:
    """Sentences of Chinese or English text, quotations kept whole (see above)."""
    sentences: list[str] = []
    start, depth, straight = 0, 0, False
    n = len(text)
    i = 0
    while i < n:
        found = _MARKS.search(text, i)  # only these characters change the state
        if found is None:
            break
        i = found.start()
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch == '"':
            straight = not straight
        elif depth == 0 and not straight and _ends_here(text, i):
            end = i + 1
            while end < n and (text[end] in _ZH_END or text[end] in _CLOSE):
                end += 1
            sentences.append(text[start:end])
            start = end
            i = end
            continue
        i += 1
    sentences.append(text[start:])
    return [s.strip() for s in sentences if s.strip()]


def _ends_here(text: str, i: int) -> bool:
    ch = text[i]
    if ch in "。！？":
        return True
    if ch in "!?":
        return True
    if ch == ".":
        after = text[i + 1 : i + 3]
        return len(after) == 2 and after[0] == " " and (after[1].isupper() or after[1] in '"“')
    return False
