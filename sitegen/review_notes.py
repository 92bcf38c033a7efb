"""`# REVIEW:` comment lines left in records and publisher files, and what they block.

`sitegen import` writes a REVIEW note above every decision an editor must check (a cell
it could not place, a level the glossary does not know…) and makes the record a draft.
A note still present is a warning in a draft, and an error once the record (or, for
publisher.yaml, any record of its publisher) would be published: the public page could
be missing what the note is about. `check_placeholders` treats `sitegen new`'s stand-in
words the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .errors import Diagnostics, Position
from .load import lines_inside_texts
from .model import Publisher, ReviewNote

if TYPE_CHECKING:
    from .site import TableSummary

# `\r` kept out: a file saved with Windows line ends would carry it into the message,
# where a terminal returns to the start of the line and prints over the file's name.
_NOTE = re.compile(r"^(?P<indent>[ \t]*)#[ \t]*REVIEW:[ \t]*(?P<text>[^\r\n]*?)[ \t\r]*$",
                   re.MULTILINE)
_QUOTED = 70  # characters of a note quoted in a message; the line itself has the rest
_FIX = "check what this note says, then delete the line"


def review_notes(text: str, path: str) -> tuple[ReviewNote, ...]:
    """The REVIEW comment lines of a YAML file that parsed; a line inside a text (a literal
    block, a quoted string) that happens to read `# REVIEW:` is text, not a note."""
    if "REVIEW:" not in text:
        return ()  # almost every file: no scan needed
    found = []
    for match in _NOTE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        found.append(ReviewNote(Position(path, line, len(match["indent"]) + 1),
                                match["text"]))
    inside = lines_inside_texts(text) if found else set()
    return tuple(note for note in found if note.position.line not in inside)


def check_review_notes(notes: Iterable[ReviewNote], published_as: str | None,
                       diagnostics: Diagnostics) -> None:
    """Each note at its own line: a warning in a draft (`published_as` None), an error
    saying why the file would be published otherwise."""
    for note in notes:
        words = note.text if len(note.text) <= _QUOTED else note.text[:_QUOTED - 1] + "…"
        if published_as is None:
            diagnostics.warning(note.position, f"a REVIEW note is still here (\"{words}\"): "
                                f"{_FIX}", "review-note")
        else:
            diagnostics.error(note.position, f"a REVIEW note is still here (\"{words}\"), and "
                              f"{published_as}: {_FIX}", "review-note")


def check_record_notes(data: bytes, path: str, draft: bool, diagnostics: Diagnostics) -> None:
    """The notes in a record's source (`data`, as parsed)."""
    if b"REVIEW:" in data:
        check_review_notes(review_notes(data.decode("utf-8-sig"), path),
                           None if draft else "this record would be published (it has no "
                           "`draft: true`)", diagnostics)


def check_publisher_notes(summaries: Iterable[TableSummary], diagnostics: Diagnostics) -> None:
    """The notes in each publisher.yaml: an error once one of its records is published (the
    publisher's name is on its pages), a warning while they are all drafts."""
    publishers: dict[str, Publisher] = {}
    published_with: dict[str, str] = {}  # publisher id → its first record not a draft
    for summary in sorted(summaries, key=lambda s: s.source_path):
        publishers[summary.publisher.id] = summary.publisher
        if not summary.draft:
            published_with.setdefault(summary.publisher.id, summary.source_path)
    for publisher_id, publisher in publishers.items():
        record = published_with.get(publisher_id)
        check_review_notes(publisher.review_notes, record and (
            f"this publisher would be published with {record} (not a draft)"), diagnostics)
