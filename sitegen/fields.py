"""Typed reading of positioned YAML nodes, reporting every problem with file, line and field.

`Fields` wraps one mapping of a record: it knows which keys the record format allows
there, reports unknown keys with a did-you-mean, and converts values by schema (strings
stay strings, amounts become Decimals) without ever raising.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from decimal import Decimal

from .errors import Diagnostics, Position
from .load import NULL_WORDS, Mapping, Node, Scalar, Sequence, typing_slip
from .model import Text
from .values import MAX_DIGITS, parse_amount

_KIND_NAMES = {Scalar: "a single value", Sequence: "a list", Mapping: "a mapping of fields"}


def kind_name(node: Node) -> str:
    return _KIND_NAMES[type(node)]


class Fields:
    """The fields of one mapping, read by schema; `where` names it in messages."""

    _guessed: frozenset[str] = frozenset()  # fields named by a "Did you mean" here

    def __init__(self, node: Mapping, where: str, diagnostics: Diagnostics,
                 allowed: tuple[str, ...], anchor: Position | None = None) -> None:
        self.node = node
        self._anchor = anchor  # where "missing field" points: the parent key (or the node)
        self.where = where
        self.diagnostics = diagnostics
        self._report_unknown(allowed)

    # -- positions and messages -------------------------------------------------------
    @property
    def anchor(self) -> Position:
        return self._anchor or self.node.position

    def position(self, key: str | None = None) -> Position:
        return self.node.position_of(key) if key else self.anchor

    def field(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def error(self, key: str | None, message: str, code: str = "") -> None:
        self.diagnostics.error(self.position(key), message, code)

    def warning(self, key: str | None, message: str, code: str = "") -> None:
        self.diagnostics.warning(self.position(key), message, code)

    def _report_unknown(self, allowed: tuple[str, ...]) -> None:
        for key in self.node.values:
            if key in allowed:
                continue
            if slip := typing_slip(key) or typing_slip(f"{key}:"):
                # `{zh："…"}`, or `　value:` at the start of a line: YAML reads the colon,
                # the full-width space or the tab as part of a name.
                self.error(key, f"'{key}' is not a field: {slip[1]}", "unknown-field")
                continue
            guess = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f" Did you mean '{guess[0]}'?" if guess else (
                f" Allowed here: {', '.join(allowed)}.")
            self.error(key, f"unknown field '{self.field(key)}'.{hint}", "unknown-field")
            if guess:
                self._guessed = self._guessed | {guess[0]}

    # -- presence ---------------------------------------------------------------------
    def has(self, key: str) -> bool:
        return self._value(key) is not None

    def _value(self, key: str) -> Node | None:
        """The key's value, None if it is absent or null; the most called line of a
        record's validation, so Scalar.is_null is spelled out."""
        node = self.node.values.get(key)
        if node is None or (node.__class__ is Scalar and not node.quoted
                            and node.text in NULL_WORDS):
            return None
        return node

    def written(self, key: str) -> bool:
        """The key is in the record, even with no value (`indicators:` or `~`)."""
        return key in self.node.values

    def node_of(self, key: str) -> Node | None:
        """The value's node, unread and unreported (None when the key is absent or its
        value null): for checks that must not repeat the messages its own reader gives."""
        return self.node.values[key] if self.has(key) else None

    def _get(self, key: str, required: bool) -> Node | None:
        node = self._value(key)
        if node is not None:
            return node
        # Not when a misspelt key was taken for this one ("Did you mean 'name'?"): the
        # same mistake, said twice.
        if required and key not in self._guessed:
            self.error(None if key not in self.node.values else key,
                       f"missing field '{self.field(key)}': add it, see docs/record-format.md",
                       "missing-field")
        return None

    def _expect(self, key: str, node: Node, kind: type) -> bool:
        if isinstance(node, kind):
            return True
        message = f"'{self.field(key)}' must be {_KIND_NAMES[kind]}, not {kind_name(node)}"
        if kind is not Scalar and (slip := _slip_in(node)):
            self.diagnostics.error(slip[0], f"{message}: {slip[1]}", "wrong-type")
        else:
            self.error(key, message, "wrong-type")
        return False

    # -- typed readers ----------------------------------------------------------------
    def string(self, key: str, required: bool = True) -> str | None:
        node = self._get(key, required)
        if node is None or not self._expect(key, node, Scalar):
            return None
        text = node.text.strip()  # type: ignore[union-attr]
        if not text and required:
            self._empty(key)
        return text or None

    def _empty(self, key: str) -> None:
        # `name: ''` is not a name: published, it was an empty heading or a dropped row.
        self.error(key, f"'{self.field(key)}' is empty: write its text, as printed in the "
                        "source", "empty-field")

    def choice(self, key: str, options: tuple[str, ...], required: bool = True) -> str | None:
        value = self.string(key, required)
        if value is not None and value not in options:
            guess = difflib.get_close_matches(value, options, n=1, cutoff=0.5)
            hint = f" Did you mean '{guess[0]}'?" if guess else ""
            self.error(key, f"'{self.field(key)}' is '{value}', which is not one of: "
                            f"{', '.join(options)}.{hint}", "bad-choice")
            return None
        return value

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.choice(key, ("true", "false"), required=False)
        return default if value is None else value == "true"

    def integer(self, key: str, required: bool = True) -> int | None:
        value = self.string(key, required)
        if value is None:
            return None
        if not value.isascii() or not value.isdigit():
            self.error(key, f"'{self.field(key)}' must be a whole number, not '{value}'",
                       "wrong-type")
            return None
        return int(value)

    def text(self, key: str, required: bool = True) -> Text | None:
        node = self._get(key, required)
        if node is None:
            return None
        if node.__class__ is Scalar:  # not null (_get): the usual text, with no field path
            text: Text | None = _scalar_text(node)  # type: ignore[arg-type]
        else:
            text = read_text(node, self.field(key), self.diagnostics)
        if text is not None and not text.zh:
            if required:
                self._empty(key)
            return None
        return text

    def amount(self, key: str) -> Decimal | None:
        node = self._get(key, False)
        return None if node is None else read_amount(node, self.field(key), self.diagnostics)

    def mapping(self, key: str, allowed: tuple[str, ...], required: bool = True
                ) -> Fields | None:
        node = self._get(key, required)
        if node is None or not self._expect(key, node, Mapping):
            return None
        return Fields(node, self.field(key), self.diagnostics, allowed,  # type: ignore[arg-type]
                      self.position(key))

    def items(self, key: str, required: bool = False) -> Iterator[tuple[str, Node]]:
        """The entries of a list field, each with its own field path for messages."""
        node = self._get(key, required)
        if node is None or not self._expect(key, node, Sequence):
            return
        where = self.field(key)
        for index, item in enumerate(node.items):  # type: ignore[union-attr]
            yield f"{where}[{index}]", item

    def texts(self, key: str, required: bool = True) -> list[Text] | None:
        """A list of texts (headings, column labels)."""
        found = []
        for where, item in self.items(key, required):
            text = read_text(item, where, self.diagnostics)
            if text is None:
                self.diagnostics.error(item.position, f"'{where}' must be a text value",
                                       "wrong-type")
                continue
            found.append(text)
        return found if self.has(key) else None


def read_fields(node: Node, where: str, diagnostics: Diagnostics, allowed: tuple[str, ...]
                ) -> Fields | None:
    if isinstance(node, Mapping):
        return Fields(node, where, diagnostics, allowed)
    what = f"'{where}'" if where else "the record"
    message = f"{what} must be a mapping of fields ({', '.join(allowed)}), not {kind_name(node)}"
    if slip := _slip_in(node):
        diagnostics.error(slip[0], f"{message}: {slip[1]}", "wrong-type")
    else:
        diagnostics.error(node.position, message, "wrong-type")
    return None


def _slip_in(node: Node) -> tuple[Position, str] | None:
    """Where and why a plain value is a field mistyped: `- name：产出指标` is one text to
    YAML (load.typing_slip)."""
    if isinstance(node, Scalar) and not node.quoted and (slip := typing_slip(node.text)):
        column, advice = slip
        return Position(node.path, node.line, node.column + column - 1), advice
    return None


def read_text(node: Node, where: str, diagnostics: Diagnostics) -> Text | None:
    """Text is a plain string (Chinese) or a mapping `{zh: …, en: …}`."""
    if isinstance(node, Scalar):
        return None if node.is_null else _scalar_text(node)
    if node.__class__ is Mapping and (text := _translated_text(node)):
        return text
    fields = read_fields(node, where, diagnostics, ("zh", "en"))
    if fields is None:
        return None
    zh = fields.string("zh")
    en = fields.string("en", required=False)
    return Text(zh, en, node.position) if zh else None


def plain_text(node: Node | None) -> Text | None:
    """A text with nothing to report in it, read the short way (see read_text); None for
    anything else, null and empty text included."""
    if node.__class__ is Scalar:
        text = None if node.is_null else _scalar_text(node)  # type: ignore[union-attr, arg-type]
        return text if text and text.zh else None
    return _translated_text(node) if node.__class__ is Mapping else None  # type: ignore[arg-type]


def _scalar_text(node: Scalar) -> Text:
    return Text(node.text.strip(), None, node.position)


def _translated_text(node: Mapping) -> Text | None:
    """`{zh: …, en: …}` read the short way, when there is nothing to report in it (a
    table has a hundred); None sends anything else the long way, which says what is
    wrong."""
    values = node.values
    zh, en = values.get("zh"), values.get("en")
    if (zh.__class__ is not Scalar or zh.is_null or len(values) != 1 + (en is not None)
            or not (chinese := zh.text.strip())):
        return None
    if en is None:
        return Text(chinese, None, node.position)
    if en.__class__ is not Scalar:
        return None
    english = None if en.is_null else en.text.strip()  # type: ignore[union-attr]
    return Text(chinese, english or None, node.position)


def read_amount(node: Node, where: str, diagnostics: Diagnostics) -> Decimal | None:
    if not isinstance(node, Scalar) or node.is_null:
        if not isinstance(node, Scalar):
            diagnostics.error(node.position, f"'{where}' must be an amount like 9,593,190.00",
                              "wrong-type")
        return None
    amount = parse_amount(node.text)
    if amount is None:
        diagnostics.error(node.position,
                          f"'{where}' is '{node.text}', which is not an amount: write digits "
                          f"(at most {MAX_DIGITS}) with an optional decimal point and "
                          "thousands commas, e.g. 9,593,190.00, and put the unit in the "
                          "table's `unit`", "bad-amount")
    return amount
