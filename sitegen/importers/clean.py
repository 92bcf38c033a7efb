"""Cleaning rules for what extraction breaks, by kind of cell rather than by file.

Three kinds of cell are cleaned differently, because the seeds show different noise:
labels (level names, indicator names, row labels) lose the spaces and underscores that
PDF line-wrapping put inside them (`产出 指标`, `诊断人 _数`); values lose all white space
and their LaTeX (`$\\geq 70\\%$` → `≥70%`, `≥ 8 课时` → `≥8课时`); long texts keep their
spaces (`项目一 注重…` is how the form prints them) and lose only markup debris.
"""

from __future__ import annotations

import re

from ..values import parse_amount

_TAGS = re.compile(r"</?(?:b|strong|i|em|u|span|br|font)(?:\s[^>]*)?/?>", re.IGNORECASE)
_PARAGRAPH = re.compile(r"</p>\s*<p(?:\s[^>]*)?>|<p(?:\s[^>]*)?>|</p>", re.IGNORECASE)
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_HEADING = re.compile(r"^\s*#{1,6}\s+")
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE_IN_LABEL = re.compile(rf"(?<=[{_CJK}])[\s_]+(?=[{_CJK}])")
# A bullet glyph the extractor could not map comes out as "?" between Chinese text
# (000_….txt, second table: `工作机制保障：?项目沟通机制`); each one starts a new item.
_LOST_BULLET = re.compile(rf"(?<=[{_CJK}])\?(?=[{_CJK}])")
_LATEX = {r"\geq": "≥", r"\ge": "≥", r"\leq": "≤", r"\le": "≤", r"\times": "×",
          r"\pm": "±", r"\%": "%", r"\sim": "~", r"\approx": "≈", r"\neq": "≠"}
_LATEX_COMMAND = re.compile(r"\\(?:geq|ge|leq|le|times|pm|sim|approx|neq)(?![a-zA-Z])|\\%")
_LATEX_TEXT = re.compile(r"\\(?:text|mathrm)\{([^}]*)\}")
_UNIT = re.compile(r"\s*[(（]\s*(万元|元)\s*[)）]\s*")
_SPAN = re.compile(r"^(?P<label>.*?目标)\s*(?P<span>[(（][^()（）]*\d{4}[^()（）]*[)）])$")
_YEAR_ROW = re.compile(r"^[(（]?\s*(\d{4})\s*年度?\s*[)）]?$")
_SENTENCE = re.compile(r"[。；;，,！？!?]")


def strip_markup(text: str) -> str:
    """Markup the converters leave: <b>, <p>, [bookmark: …], Markdown headings."""
    text = _BOOKMARK.sub("", text)
    text = _PARAGRAPH.sub("\n\n", text)
    text = _TAGS.sub("", text)
    return _HEADING.sub("", text).strip()


def paragraphs(text: str) -> list[str]:
    """The <p> paragraphs of a cell, for a title cell that holds several lines."""
    return [part.strip() for part in strip_markup(text).split("\n\n") if part.strip()]


def label(text: str) -> str:
    """A label as an editor writes it: no markup, no spaces or `_` inside Chinese words."""
    cleaned = _SPACE_IN_LABEL.sub("", strip_markup(text))
    return " ".join(cleaned.split()).rstrip("：:").strip()


def squeeze(text: str) -> str:
    """A label reduced for matching: every white space and `_` gone."""
    return "".join(strip_markup(text).replace("_", " ").split()).rstrip("：:")


def value(text: str) -> str:
    """An indicator value: LaTeX to signs, all white space out (`≥ 8 课时` → `≥8课时`)."""
    cleaned = strip_markup(text).replace("$", "")
    cleaned = _LATEX_TEXT.sub(r"\1", cleaned)
    cleaned = _LATEX_COMMAND.sub(lambda match: _LATEX[match.group(0)], cleaned)
    return "".join(cleaned.split())


def prose(text: str) -> tuple[str, int]:
    """Long text kept as printed; returns it and how many lost bullets became paragraphs."""
    cleaned = strip_markup(text)
    cleaned, bullets = _LOST_BULLET.subn("\n\n", cleaned)
    lines = [line.strip() for line in cleaned.replace("\r", "").split("\n")]
    joined = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", joined).strip(), bullets


def amount(text: str) -> str | None:
    """An amount as printed (`9,593,190.00`, `8`), or None if the cell is not one."""
    cleaned = "".join(strip_markup(text).split())
    if not cleaned or not any(ch.isdigit() for ch in cleaned):
        return None
    return cleaned if parse_amount(cleaned) is not None else None


def split_unit(text: str) -> tuple[str, str | None]:
    """`项目总预算（元）：` → (`项目总预算`, `元`); the unit of amounts in a label or heading."""
    found = _UNIT.search(text)
    if not found:
        return label(text), None
    return label(_UNIT.sub("", text)), found.group(1)


def split_span(text: str) -> tuple[str, str | None]:
    """`项目总体目标 (2023 年-2023 年)` → (`项目总体目标`, `(2023年-2023年)`)."""
    cleaned = strip_markup(text)
    found = _SPAN.match(cleaned)
    if not found:
        return label(cleaned), None
    return label(found["label"]), "".join(found["span"].split())


def year_of(text: str) -> int | None:
    """`(2020年度)`, `（2020年度）`, `2024年度` alone on a row: the budget year."""
    found = _YEAR_ROW.match(squeeze(text))
    return int(found.group(1)) if found else None


def is_prose(text: str) -> bool:
    """Running text rather than a label or a value: long, or written in sentences."""
    cleaned = strip_markup(text)
    return len(cleaned) >= 40 or (len(cleaned) >= 8 and bool(_SENTENCE.search(cleaned)))


def is_fragment(text: str, of: str) -> bool:
    """A piece of a merged heading repeated at a page break (`绩效`, `指标`, `标`)."""
    squeezed = squeeze(text)
    return bool(squeezed) and bool(of) and squeezed in of
