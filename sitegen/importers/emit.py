"""Writes a record the way an editor does: key order kept, block style, Chinese as is.

PyYAML's dumper cannot put comments where an editor must look, and quotes or folds
Chinese text in ways nobody writes by hand; records are simple enough (mappings, lists,
strings) to write directly. Long text becomes a literal block (`|-`), indicator values
are always double-quoted (`">=19000个"` would otherwise mean something else to YAML),
and every REVIEW note becomes a `# REVIEW:` comment right above what it is about.
"""

from __future__ import annotations

import json

from .draft import Block, Quoted

SPACED = ("project", "preamble", "narrative", "funding", "goals", "indicators", "notes")
_LITERAL_KEYS = ("text", "value", "zh")
_UNSAFE_START = tuple("-?:,[]{}#&*!|>'\"%@`~ ")


def emit(record: Block, header: list[str]) -> str:
    """The whole record file: header comments, then the record."""
    out = [f"# {line}" if line else "#" for line in header]
    _reviews(out, record, 0)
    for key, value in record.items():
        if key in SPACED:
            out.append("")
        _field(out, key, value, 0)
    return "\n".join(out) + "\n"


def _reviews(out: list[str], value: object, indent: int) -> None:
    for note in getattr(value, "reviews", []):
        out.append(f"{' ' * indent}# REVIEW: {note}")


def _field(out: list[str], key: str, value: object, indent: int) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        _reviews(out, value, indent)
        out.append(f"{pad}{key}:")
        for inner_key, inner in value.items():
            _field(out, inner_key, inner, indent + 2)
    elif isinstance(value, list):
        if not value:
            out.append(f"{pad}{key}: []")
            return
        out.append(f"{pad}{key}:")
        for item in value:
            _item(out, item, indent + 2)
    elif key in _LITERAL_KEYS and _wants_literal(value):
        out.append(f"{pad}{key}: |-")
        out.extend(f"{pad}  {line}" if line else "" for line in str(value).split("\n"))
    else:
        out.append(f"{pad}{key}: {scalar(value)}")


def _item(out: list[str], item: object, indent: int) -> None:
    pad = " " * indent
    if not isinstance(item, dict):
        out.append(f"{pad}- {scalar(item)}")
        return
    _reviews(out, item, indent)
    lines: list[str] = []
    for key, value in item.items():
        _field(lines, key, value, indent + 2)
    for index, line in enumerate(lines):
        if not line.lstrip().startswith("#"):  # the first key carries the dash
            lines[index] = f"{pad}- {line[indent + 2:]}"
            break
    out.extend(lines)


def _wants_literal(value: object) -> bool:
    text = str(value)
    if text.startswith(" ") or any(line.startswith((" ", "\t")) for line in text.split("\n")):
        return False  # a literal block would need an indentation indicator
    return "\n" in text or len(text) > 60


def scalar(value: object) -> str:
    """One scalar: plain where YAML reads it back unchanged, double-quoted otherwise."""
    if value is None:
        return "~"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if isinstance(value, Quoted) or not _plain_safe(text):
        return json.dumps(text, ensure_ascii=False)
    return text


def _plain_safe(text: str) -> bool:
    return bool(text) and text == text.strip() and not (
        text.startswith(_UNSAFE_START) or text.endswith(":") or ": " in text
        or " #" in text or "\n" in text or "\t" in text
        or text in ("~", "null", "Null", "NULL"))
