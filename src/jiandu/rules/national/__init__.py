"""The national layer's texts: national laws and administrative regulations, article by article.

Each `*.txt` here is an unofficial plain-text copy of a statute (sources and checks in
`SOURCES.md`): a header of 【field】 lines, a line of `=`, then the text with one block per article
beginning 第X条 and a full-width space. A citation of the national layer names the law by its
title, the article (第七十五条, 第七十五条第二款 …) and quotes it; the loader checks the quote
against the article here. Where a copy lacks an article's text (行政执法监督条例 is incomplete: its
gaps are marked 〔…原文未能取得〕), only the words the copy has can be quoted.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent
# A gap in a copy: text that could not be obtained. No quote may be taken from an article with one.
GAP = "原文未能取得"
_ARTICLE = re.compile(r"^(第[一二三四五六七八九十百零]+条)[\u3000 ](.*)$")
_HEADER = re.compile(r"^【(.+?)】(.*)$")
_HEADING = re.compile(r"^第[一二三四五六七八九十]+[章节]")
_MISSING = re.compile(r"^〔(第[一二三四五六七八九十百零]+条)[\u3000 ].*" + GAP)


def _normalize(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass(frozen=True)
class Law:
    """One statute: its title as cited, its document number, and its articles' texts."""

    title: str
    number: str
    in_force: str
    file: str
    articles: dict[str, str]

    def article(self, label: str) -> str | None:
        """The text of the article a label such as 第七十五条第二款 starts with, as far as this copy has
        it; None when the article is not here at all. (A quote must still be found in the text, so
        the part of an article that could not be obtained can never be cited.)"""
        match = re.match(r"第[一二三四五六七八九十百零]+条", label)
        text = self.articles.get(match.group()) if match else None
        if text is None:
            return None
        # An editor's note 〔…〕 stands where text is missing: it becomes a mark no quote contains,
        # so a quote can neither include the note nor run across the gap.
        text = re.sub(r"〔[^〕]*〕", "※", text)
        return text if text.replace("※", "").strip() else None


def _parse(path: Path) -> Law:
    header: dict[str, str] = {}
    articles: dict[str, list[str]] = {}
    current: list[str] | None = None
    in_body = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if not in_body:
            if line.startswith("====="):
                in_body = True
            elif found := _HEADER.match(line):
                header[found.group(1)] = found.group(2).strip()
            continue
        found = _ARTICLE.match(line)
        missing = _MISSING.match(line)
        if found:
            current = articles.setdefault(found.group(1), [])
            current.append(found.group(2))
        elif missing:  # 〔第七条 原文未能取得〕: the article exists in the law, its text not here
            articles[missing.group(1)] = [line]
            current = None
        elif not line.strip() or _HEADING.match(line) or line.startswith("〔"):
            current = None  # a blank line, a chapter heading or an editor's note ends an article
        elif current is not None:
            current.append(line)  # the next 款 or 项 of the same article
    # The title as cited: without an edition note such as （2019年修正文本）.
    title = re.sub(r"（[^）]*）$", "", header.get("标题", path.stem))
    return Law(
        title=title,
        number=header.get("公布文号") or header.get("文号", ""),
        in_force=header.get("施行日期", ""),
        file=path.name,
        articles={label: _normalize("\n".join(lines)) for label, lines in articles.items()},
    )


@functools.cache
def laws() -> dict[str, Law]:
    """Every shipped statute by its title (read once per process: they change only with a release)."""
    parsed = [_parse(path) for path in sorted(DIRECTORY.glob("*.txt"))]
    return {law.title: law for law in parsed}


def citation_problem(law_title: str, article: str, quote: str) -> str | None:
    """Why a national citation does not hold (unknown law, missing article, a gap, a quote not
    verbatim), in Chinese; None when it holds."""
    law = laws().get(law_title)
    if law is None:
        return f"国家层没有《{law_title}》的文本（已有：{'、'.join(f'《{t}》' for t in laws())}）"
    text = law.article(article)
    if text is None:
        return f"《{law_title}》{article}的原文不在随附文本中（或未能取得），不能引用"
    if not quote.strip():
        return "引用国家法律须摘录原文（quote）"
    if _normalize(quote) not in text:
        return f"引文不是《{law_title}》{article}中的原话：{quote!r}"
    return None
