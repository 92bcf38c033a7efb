"""Load stage: YAML text → a tree of positioned nodes, every scalar kept as a string.

We build the tree from parser events rather than through PyYAML's constructors because
(PITFALLS.md) PyYAML silently keeps the last of two duplicate keys, turns `010` into 8 and
`NO` into False, and expands aliases without limit. Here a duplicate key is an error naming
both lines, scalars stay exactly as typed, and anchors, aliases and `!!` tags are refused
where they occur. Events come from libyaml when it is available (the C parser), which
also makes this the fast path of a cold build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import Diagnostics, Position

try:  # libyaml's parser: same events, several times faster
    from yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)

_NULL_WORDS = {"", "~", "null", "Null", "NULL"}


@dataclass(slots=True)
class Scalar:
    """A scalar exactly as typed; `quoted` tells `"~"` (text) from `~` (nothing)."""

    position: Position
    text: str
    quoted: bool = False

    @property
    def is_null(self) -> bool:
        return not self.quoted and self.text in _NULL_WORDS


@dataclass(slots=True)
class Sequence:
    position: Position
    items: list[Node] = field(default_factory=list)


@dataclass(slots=True)
class Mapping:
    """A mapping with string keys; `key_positions` give each key's own line."""

    position: Position
    values: dict[str, Node] = field(default_factory=dict)
    key_positions: dict[str, Position] = field(default_factory=dict)

    def position_of(self, key: str) -> Position:
        return self.key_positions.get(key, self.position)


Node = Scalar | Sequence | Mapping


class _UnsupportedYaml(Exception):
    def __init__(self, position: Position, message: str) -> None:
        super().__init__(message)
        self.position = position
        self.message = message


def parse_yaml(text: str, path: str, diagnostics: Diagnostics) -> Node | None:
    """Parse one YAML document into nodes; problems go to `diagnostics`, never raised."""
    parser = _Parser(text)
    try:
        return _TreeBuilder(parser, path, diagnostics).document()
    except _UnsupportedYaml as refused:
        diagnostics.error(refused.position, refused.message, "yaml")
    except yaml.MarkedYAMLError as broken:
        mark = broken.problem_mark or broken.context_mark
        position = Position(path, mark.line + 1, mark.column + 1) if mark else Position(path)
        problem = broken.problem or broken.context or "invalid YAML"
        context = broken.context_mark
        if context and mark and context.line != mark.line and broken.context:
            problem += f" ({broken.context} that starts on line {context.line + 1})"
        diagnostics.error(
            position, f"this is not valid YAML: {problem}. Check indentation and quoting "
            "(a value starting with >, |, *, &, !, %, @ or # must be quoted)", "yaml")
    except yaml.YAMLError as broken:
        diagnostics.error(Position(path), f"this is not valid YAML: {broken}", "yaml")
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose:
            dispose()
    return None


def decode_source(data: bytes, path: str, diagnostics: Diagnostics) -> str | None:
    """UTF-8 text of a file, or a diagnostic naming the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as bad:
        line = data[: bad.start].count(b"\n") + 1
        diagnostics.error(
            Position(path, line, 1),
            "this file is not UTF-8 (perhaps GBK/GB18030 from an old editor); "
            "save it as UTF-8", "encoding")
        return None


def load_yaml_file(path: Path, shown_as: str, diagnostics: Diagnostics) -> Node | None:
    """Read a file and parse it; `shown_as` is the path printed in diagnostics."""
    try:
        data = path.read_bytes()
    except OSError as failure:
        diagnostics.error(Position(shown_as), f"cannot read this file: {failure.strerror}")
        return None
    text = decode_source(data, shown_as, diagnostics)
    return None if text is None else parse_yaml(text, shown_as, diagnostics)


class _TreeBuilder:
    """Turns a stream of parser events into nodes, refusing what records never need."""

    def __init__(self, parser: _Parser, path: str, diagnostics: Diagnostics) -> None:
        self.parser = parser
        self.path = path
        self.diagnostics = diagnostics

    def _position(self, event: yaml.Event) -> Position:
        mark = event.start_mark
        return Position(self.path, mark.line + 1, mark.column + 1)

    def document(self) -> Node | None:
        self.parser.get_event()  # StreamStart
        if self.parser.check_event(yaml.StreamEndEvent):
            return None
        self.parser.get_event()  # DocumentStart
        root = self._node(self.parser.get_event())
        self.parser.get_event()  # DocumentEnd
        if not self.parser.check_event(yaml.StreamEndEvent):
            extra = self.parser.get_event()
            raise _UnsupportedYaml(
                self._position(extra),
                "a record file holds one YAML document; remove this second `---` document "
                "or put it in a file of its own")
        return root

    def _refuse_extras(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.AliasEvent):
            raise _UnsupportedYaml(
                self._position(event),
                f"aliases (*{event.anchor}) are not allowed in records; write the value out")
        if getattr(event, "anchor", None):
            raise _UnsupportedYaml(
                self._position(event),
                f"anchors (&{event.anchor}) are not allowed in records; write each value out")
        tag = getattr(event, "tag", None)
        if tag is not None and not (isinstance(event, yaml.ScalarEvent) and tag == "!"):
            raise _UnsupportedYaml(
                self._position(event),
                f"YAML tags ({tag.replace('tag:yaml.org,2002:', '!!')}) are not allowed in "
                "records; remove the tag, values are typed by the record format")

    def _node(self, event: yaml.Event) -> Node:
        self._refuse_extras(event)
        if isinstance(event, yaml.ScalarEvent):
            return Scalar(self._position(event), event.value, event.style not in (None, ""))
        if isinstance(event, yaml.SequenceStartEvent):
            return self._sequence(event)
        return self._mapping(event)

    def _sequence(self, start: yaml.Event) -> Sequence:
        node = Sequence(self._position(start))
        while not self.parser.check_event(yaml.SequenceEndEvent):
            node.items.append(self._node(self.parser.get_event()))
        self.parser.get_event()
        return node

    def _mapping(self, start: yaml.Event) -> Mapping:
        node = Mapping(self._position(start))
        while not self.parser.check_event(yaml.MappingEndEvent):
            key_event = self.parser.get_event()
            key = self._node(key_event)
            value = self._node(self.parser.get_event())
            if not isinstance(key, Scalar):
                raise _UnsupportedYaml(key.position, "a key must be a plain name, not a list "
                                       "or a mapping")
            if key.text in node.values:
                first = node.key_positions[key.text]
                self.diagnostics.error(
                    key.position,
                    f"duplicate key '{key.text}': it is already given on line {first.line}; "
                    "YAML would silently keep only the last one. Remove one of them",
                    "duplicate-key")
                continue
            node.values[key.text] = value
            node.key_positions[key.text] = key.position
        self.parser.get_event()
        return node
