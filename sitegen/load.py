"""Load stage: YAML text → a tree of positioned nodes, every scalar kept as a string.

We build the tree from parser events rather than through PyYAML's constructors because
(PITFALLS.md) PyYAML silently keeps the last of two duplicate keys, turns `010` into 8 and
`NO` into False, and expands aliases without limit. Here a duplicate key is an error naming
both lines, scalars stay exactly as typed, and anchors, aliases and `!!` tags are refused
where they occur. Events come from libyaml when it is available (the C parser), which
also makes this the fast path of a cold build.

What YAML accepts but an editor did not mean is said here too, where the text and its
lines are at hand: a text cut short by ` #…` (read as a comment), invisible characters
pasted with a text (left out of what is read), a second record pasted below the first;
and where YAML fails, the typing slip that made it fail, on its own line.
"""

from __future__ import annotations

import io
import os
import re
import threading
from pathlib import Path
from typing import Any

import yaml

from .collector import collector_paused
from .errors import Diagnostics, Position

try:  # libyaml's parser: same events, several times faster
    from yaml import _yaml as _libyaml
    from yaml._yaml import CParser as _Parser

    class _Composer(_Parser):  # type: ignore[misc, valid-type]
        """libyaml composing the whole tree, typing nothing: every scalar stays a string,
        since typing is the schema's job, not YAML's.

        The composer calls these three hooks at every node (600 a record). Tags are never
        read here, so each is a builtin that ignores its arguments (str.format does): no
        Python call at each node, 5 % of composing."""

        resolve = "tag:yaml.org,2002:str".format  # (kind, value, implicit) → the str tag
        descend_resolver = "".format  # (parent, index)
        ascend_resolver = "".format  # ()
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)

    _Composer = None  # type: ignore[assignment, misc]

NULL_WORDS = {"", "~", "null", "Null", "NULL"}


# The nodes below are made by libyaml's composer itself (_compose), which calls a node
# class as it calls PyYAML's: (tag, value, start mark, end mark, style). Made there, the
# tree needs no second pass turning PyYAML's nodes into ours: a quarter of parsing. A
# node keeps its start mark, whose `name` is the file's path, and reads its line and
# column from it only when asked, as few are.


class _Positioned:
    __slots__ = ()
    mark: Any  # libyaml's or PyYAML's Mark: name (the path), line and column from 0

    @property
    def path(self) -> str:
        return self.mark.name

    @property
    def line(self) -> int:
        return self.mark.line + 1

    @property
    def column(self) -> int:
        return self.mark.column + 1

    @property
    def position(self) -> Position:
        mark = self.mark
        return Position(mark.name, mark.line + 1, mark.column + 1)


def _node_mark(path: str, line: int, column: int) -> Any:
    """The mark of a node at `line` and `column` (from 1) of `path`."""
    return yaml.Mark(path, 0, line - 1, column - 1, None, None)


class Scalar(_Positioned):
    """A scalar exactly as typed; `quoted` tells `"~"` (text) from `~` (nothing)."""

    __slots__ = ("mark", "quoted", "text")

    def __init__(self, tag: str | None, text: str, mark: Any, end_mark: Any,
                 style: str | None) -> None:
        self.text, self.mark, self.quoted = text, mark, bool(style)

    @property
    def is_null(self) -> bool:
        return not self.quoted and self.text in NULL_WORDS

    def __repr__(self) -> str:
        return f"Scalar({self.text!r} at {self.line}:{self.column})"


class Sequence(_Positioned):
    __slots__ = ("end_mark", "items", "mark")  # end_mark: set by the composer, unread

    def __init__(self, tag: str | None, items: list[Node], mark: Any, end_mark: Any,
                 flow_style: bool | None) -> None:
        self.items, self.mark = items, mark


class Mapping(_Positioned):
    """A mapping with string keys: `values` by key, and each key's own node (its line
    and column) in `key_nodes`; both made by `_index` from the `pairs` composed."""

    __slots__ = ("end_mark", "key_nodes", "mark", "pairs", "values")

    def __init__(self, tag: str | None, pairs: list[tuple[Node, Node]], mark: Any,
                 end_mark: Any, flow_style: bool | None) -> None:
        self.pairs, self.mark = pairs, mark
        self.values: dict[str, Node] = {}
        self.key_nodes: dict[str, Scalar] = {}

    def position_of(self, key: str) -> Position:
        return self.key_nodes.get(key, self).position


Node = Scalar | Sequence | Mapping


class _UnsupportedYaml(Exception):
    def __init__(self, position: Position, message: str) -> None:
        super().__init__(message)
        self.position = position
        self.message = message


# Anchors (&), aliases (*) and tags (!) can only occur where one of these characters is
# in the text; files without them take the fast path (libyaml composes the whole tree),
# the rest the event path, which refuses each of them at its own line.
_EVENT_PATH_MARKERS = ("&", "*", "!")


def parse_yaml(text: str, path: str, diagnostics: Diagnostics) -> Node | None:
    """Parse one YAML document into nodes; problems go to `diagnostics`, never raised."""
    with collector_paused():
        return _parse(text, path, diagnostics)


def _parse(text: str, path: str, diagnostics: Diagnostics) -> Node | None:
    invisible = any(character in text for character in _INVISIBLE)
    if invisible:
        _invisible_characters(text, path, diagnostics)
    event_path = not _COMPOSES_OUR_NODES or any(marker in text for marker in _EVENT_PATH_MARKERS)
    try:
        if event_path:
            root = _TreeBuilder(text, path, diagnostics).document()
        else:
            root = _compose(text, path)
            if type(root) is Mapping:
                _cut_second_record(root, diagnostics)
            if root is not None:
                _index(root, diagnostics)
        if _may_cut_a_text(text):  # the rare file that may have one: scanned
            _texts_cut_by_comments(text, path, diagnostics)
        # Left out of what is read, not of the text parsed: positions stay the file's.
        return _left_out(root) if invisible and root is not None else root
    except _UnsupportedYaml as refused:
        diagnostics.error(refused.position, refused.message, "yaml")
    except yaml.MarkedYAMLError as broken:
        diagnostics.error(*_describe(broken, path, text), "yaml")
    except yaml.YAMLError as broken:
        diagnostics.error(Position(path), f"this is not valid YAML: {broken}", "yaml")
    return None


class _NamedText(io.StringIO):
    """A file's text as a stream named by its path: libyaml names each mark by its
    stream, so each node's mark names its file."""

    def __init__(self, text: str, path: str) -> None:
        super().__init__(text)
        self.name = path


# What libyaml's composer calls to make each node (module globals of yaml._yaml), and
# ours in their place while it composes for us: one composer at a time, since the
# preview parses on more than one thread.
_OUR_NODES = {"ScalarNode": Scalar, "SequenceNode": Sequence, "MappingNode": Mapping}
_PYYAML_NODES = ({name: getattr(_libyaml, name) for name in _OUR_NODES}
                 if _Composer is not None else {})
_composing = threading.Lock()


def _compose(text: str, path: str) -> Node | None:
    """The whole tree, composed by libyaml with our node classes; mappings not yet
    indexed (`_index`)."""
    parser = _Composer(_NamedText(text, path))
    module = vars(_libyaml)
    with _composing:
        module.update(_OUR_NODES)
        try:
            return parser.get_single_node()
        finally:
            module.update(_PYYAML_NODES)


def _after_fork_in_child() -> None:
    """A process forked while another thread composed (the preview starts its PDF worker
    so) has that thread's lock held forever and our classes in PyYAML's place: both
    put back."""
    global _composing
    _composing = threading.Lock()
    if _PYYAML_NODES:
        vars(_libyaml).update(_PYYAML_NODES)


os.register_at_fork(after_in_child=_after_fork_in_child)


def _composes_our_nodes() -> bool:
    """Whether this PyYAML's composer makes the nodes it is given (6.0 does); if a later
    one does not, every file takes the event path: slower, never wrong."""
    if _Composer is None:
        return False
    try:
        return type(_compose("a: b", "")) is Mapping
    except Exception:  # whatever it does instead, the event path works
        return False


_COMPOSES_OUR_NODES = _composes_our_nodes()


def _describe(broken: yaml.MarkedYAMLError, path: str, text: str) -> tuple[Position, str]:
    mark = broken.problem_mark or broken.context_mark
    position = Position(path, mark.line + 1, mark.column + 1) if mark else Position(path)
    problem = broken.problem or broken.context or "invalid YAML"
    context = broken.context_mark
    if context and mark and context.line != mark.line and broken.context:
        problem += f" ({broken.context} that starts on line {context.line + 1})"
    if "expected a single document" in problem:
        return position, ("a record file holds one YAML document; remove this second `---` "
                          "document or put it in a file of its own")
    tokens = _tokens_until(text, mark.line if mark else -1)
    unclosed = _runaway_quote(broken, tokens)
    if unclosed and unclosed != (position.line, position.column):
        line, column = unclosed
        return Position(path, line, column), (
            f"this quoted value is not closed on its line, so YAML read on to the next quote "
            f"and failed on line {position.line} ({problem}): close the quote here (a text "
            "of several lines is written as a `|-` block)")
    slip = _typing_slip(mark.line if mark else None, text, tokens,
                        context.line if context else None)
    if slip:
        line, column, what = slip
        return Position(path, line, column), (
            f"{what}. YAML stopped on line {position.line}: {problem}")
    return position, (f"this is not valid YAML: {problem}. Check indentation and quoting "
                      "(a value starting with >, |, *, &, !, %, @ or # must be quoted)")


# Slips of a Chinese input method, or of a Windows editor, that YAML reports on a later
# line in its own terms ("mapping values are not allowed in this context"): a field name
# followed by a full-width colon, or by a colon with no space, and indentation made of
# full-width spaces or tabs. Sought near the failure (the failing line, the two above it,
# where YAML says the failing part began), and, for indentation before a field or a list
# item, on every line above it; never inside a text of several lines: a full-width colon
# is ordinary Chinese, and a paragraph may well start with two full-width spaces.
_FIELD_SLIP = re.compile(r"^[ ]*(?:- )?([A-Za-z_][A-Za-z0-9_]*)(：|:\u00a0|:(?=[^\s/]))")
_INDENT_SLIP = re.compile(
    r"^[ ]*([\t\u3000\u00a0])[\t\u3000\u00a0 ]*(?:- |[A-Za-z_][A-Za-z0-9_]*[ ]*[:：])")
_ANY_INDENT_SLIP = re.compile(r"^[ ]*([\t\u3000\u00a0])")  # a text's line too: near a failure
_DASH_SLIP = re.compile(r"^[ ]*-([\t\u3000\u00a0])")  # `-<tab>name:`: a list item, mistyped
_INDENTS = {"\t": "a tab", "\u3000": "full-width spaces (　)",
            "\u00a0": "non-breaking spaces (from a word processor)"}
# Near a failure only, in the value after `field: ` (or a list's `- `): what YAML reads
# as its own syntax there. A value opening with > or | (`>=19000个`) is the start of a
# block of text to YAML, unless the rest of the line is a block's header (`|-`).
_VALUE = r"^[ ]*(?:- )?(?:[A-Za-z_][A-Za-z0-9_]*:[ ]+)?"
_BLOCK_SIGN_SLIP = re.compile(_VALUE + r"([>|])(?![-+0-9]*[ \t]*(?:#.*)?$)")
# Only where the brackets hold what YAML's would (`｛zh: …`, `［a，b］`): a text may well
# open with one (［2023］12号文) and be valid YAML, next to a failure of its own.
_FULL_WIDTH_BRACKET_SLIP = re.compile(
    _VALUE + r"(｛)(?=[ ]*[A-Za-z_][A-Za-z0-9_]*[ ]*[:：])|" + _VALUE + r"(［)(?=[^］]*[,，])")
# `zh: 目标: 通过…`: a colon and a space inside a text typed without quotes.
_COLON_IN_TEXT_SLIP = re.compile(r"^[ ]*(?:- )?([A-Za-z_][A-Za-z0-9_]*):[ ]+"
                                 r"(?![\"'\[{|>])[^#]*?(:)(?:[ \t]|$)")
_SLIP_LINES = 3


def _typing_slip(failed: int | None, text: str, tokens: list[yaml.Token],
                 started: int | None = None) -> tuple[int, int, str] | None:
    """(line, column, what to do) for the slip nearest above a YAML failure on line
    `failed` (counted from 0), if there is one; `tokens`, the scanner's up to there, tell
    the lines of texts written over several lines; `started`, the line where YAML says
    what failed began ("while scanning a simple key that starts on line …")."""
    if failed is None:
        return None
    scalars = [token for token in tokens if isinstance(token, yaml.ScalarToken)]
    inside_text = _lines_inside(scalars)
    lines = text.splitlines()
    last = min(failed, len(lines) - 1)
    # And where the last text before the failure began: `zh：|-` makes the block below
    # it part of one plain text, which runs on to the failure.
    began = [line for line in (started, scalars[-1].start_mark.line if scalars else None)
             if line is not None and line < len(lines)]
    near = [*range(last, max(-1, failed - _SLIP_LINES), -1), *began]
    # Indentation of full-width spaces or a tab before a field is never YAML's: it may
    # end a mapping that YAML then fails to close dozens of lines further on.
    candidates = [*((number, True) for number in near),
                  *((number, False) for number in range(last + 1))]
    for number, is_near in candidates:
        slip = (typing_slip(lines[number], near=True) if is_near
                else _indent_slip(lines[number], _INDENT_SLIP))
        if slip and number not in inside_text:
            return number + 1, *slip
    return None


def typing_slip(line: str, near: bool = False) -> tuple[int, str] | None:
    """(column, what to do) if a line of YAML holds one of the slips above; `near` a
    failure (and outside any text), indentation is a slip before anything at all, and so
    is a value that YAML reads as its own syntax."""
    if slip := _indent_slip(line, _ANY_INDENT_SLIP if near else _INDENT_SLIP):
        return slip
    if dash := _DASH_SLIP.match(line):
        return dash.start(1) + 1, (f"the `-` of this list item is followed by "
                                   f"{_INDENTS[dash[1]]}: YAML needs an ordinary space "
                                   "after it")
    if field := _FIELD_SLIP.match(line):
        return _field_slip(field)
    return _value_slip(line) if near else None


def _field_slip(field: re.Match[str]) -> tuple[int, str]:
    name, column = field[1], field.start(2) + 1
    if field[2] == "：":
        return column, (
            f"`{name}：` is written with a full-width colon (：), so YAML does not read it "
            f"as the field {name}: write `{name}: ` with an ASCII colon and a space (English "
            "punctuation in the input method)")
    if field[2] == ":\u00a0":
        return column, (
            f"the space after `{name}:` is a non-breaking space (copied from a word "
            f"processor), so YAML does not read the field {name}: type an ordinary space")
    return column, (
        f"`{name}:` has no space after its colon, so YAML reads the line as one text, not "
        f"the field {name}: write `{name}: ` with a space after the colon")


def _value_slip(line: str) -> tuple[int, str] | None:
    if sign := _BLOCK_SIGN_SLIP.match(line):
        value = line[sign.start(1):].split(" #")[0].strip()
        return sign.start(1) + 1, (
            f"a value that begins with {sign[1]} is read by YAML as the start of a block "
            f"of text: put it in quotes, \"{value}\"")
    if bracket := _FULL_WIDTH_BRACKET_SLIP.match(line):
        group = 1 if bracket[1] else 2
        ascii_bracket = {"｛": "{…}", "［": "[…]"}[bracket[group]]
        return bracket.start(group) + 1, (
            f"`{bracket[group]}` is a full-width bracket, which YAML reads as text: write "
            f"{ascii_bracket} with ASCII brackets (English punctuation in the input method)")
    if colon := _COLON_IN_TEXT_SLIP.match(line):
        return colon.start(2) + 1, (
            f"the text of `{colon[1]}` holds a colon and a space, which YAML reads as the "
            "start of another field: put the whole text in quotes, or write the colon "
            "full-width (：)")
    return None


def _indent_slip(line: str, pattern: re.Pattern[str]) -> tuple[int, str] | None:
    if not (indent := pattern.match(line)):
        return None
    return indent.start(1) + 1, (f"this line is indented with {_INDENTS[indent[1]]}: YAML "
                                 "indents with ordinary spaces only; replace them with spaces")


def lines_inside_texts(text: str) -> set[int]:
    """The lines (counted from 1) that lie inside a text written over several lines (a
    `|-` block, a quoted or plain text that runs on): what reads like YAML or a comment
    there is the text's own."""
    tokens = _tokens_until(text, text.count("\n") + 1)
    scalars = [token for token in tokens if isinstance(token, yaml.ScalarToken)]
    return {line + 1 for line in _lines_inside(scalars)}


def _lines_inside(scalars: list[yaml.ScalarToken]) -> set[int]:
    """Lines (from 0) after a text's first and up to its last; a block text ends at the
    start of the line after it (column 0), which is not inside it."""
    return {line for token in scalars
            for line in range(token.start_mark.line + 1, token.end_mark.line
                              + (1 if token.end_mark.column else 0))}


def _tokens_until(text: str, failed: int) -> list[yaml.Token]:
    """The scanner's tokens of a broken file, up to its failing line (counted from 0)."""
    tokens = []
    try:
        for token in yaml.scan(text, Loader=_TOKEN_LOADER):
            if token.start_mark.line > failed:
                break
            tokens.append(token)
    except yaml.YAMLError:
        pass  # the tokens up to the failure are all there is to read
    return tokens


def _runaway_quote(broken: yaml.MarkedYAMLError, tokens: list[yaml.Token]
                   ) -> tuple[int, int] | None:
    """(line, column) of a quoted value whose closing quote was forgotten, if that is what
    broke the file: YAML reads such a value on to the next quote, and fails lines later,
    where nothing is wrong. Told by the scanner's own tokens (up to the failure): the
    quoted text that runs over several lines and ends on the very line that failed (a text
    of several lines written on purpose ends well before an unrelated error, and block
    texts are not quoted); or, with no closing quote left in the file, the scanner names
    it itself."""
    if broken.context == "while scanning a quoted scalar" and broken.context_mark:
        return broken.context_mark.line + 1, broken.context_mark.column + 1
    if broken.problem_mark is None:
        return None
    failed, found = broken.problem_mark.line, None
    for token in tokens:
        if (isinstance(token, yaml.ScalarToken) and token.style in ('"', "'")
                and token.start_mark.line < token.end_mark.line == failed):
            found = token.start_mark.line + 1, token.start_mark.column + 1
    return found


_TOKEN_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Characters that show as nothing, pasted from web pages and word processors: in a name
# they keep it from matching the standard term it looks identical to (产出目标 + U+200B).
_INVISIBLE = {"\u200b": "ZERO WIDTH SPACE", "\u200c": "ZERO WIDTH NON-JOINER",
              "\u200d": "ZERO WIDTH JOINER", "\u2060": "WORD JOINER",
              "\ufeff": "ZERO WIDTH NO-BREAK SPACE"}
_LEFT_OUT = dict.fromkeys(map(ord, _INVISIBLE))  # str.translate: each to nothing


def _left_out(node: Node) -> Node:
    """The tree with the invisible characters left out of its keys and texts."""
    if isinstance(node, Scalar):
        node.text = node.text.translate(_LEFT_OUT)
    elif isinstance(node, Sequence):
        node.items = [_left_out(item) for item in node.items]
    else:
        node.values = {key.translate(_LEFT_OUT): _left_out(value)
                       for key, value in node.values.items()}
        node.key_nodes = {key.translate(_LEFT_OUT): where
                          for key, where in node.key_nodes.items()}
    return node


def _invisible_characters(text: str, path: str, diagnostics: Diagnostics) -> None:
    for number, line in enumerate(text.splitlines(), 1):
        for column, character in enumerate(line, 1):
            if character in _INVISIBLE:
                diagnostics.warning(
                    Position(path, number, column),
                    f"an invisible character ({_INVISIBLE[character]}, "
                    f"U+{ord(character):04X}) is here, most likely pasted with the text: "
                    "the site leaves it out (it would keep words from matching the "
                    "standard terms they look like); delete it from the file",
                    "invisible-character")


# A `#` after a space starts a comment, even in the middle of a text typed without quotes:
# `完成率达到95% #以上为合格` is published as 完成率达到95%, and nothing fails. Comments
# are written `# like this`; a `#` with no space after it is taken for part of the text.
_HASH_BEFORE_TEXT = re.compile(r"#[^\s#]")  # led by its literal #: a fast search
_COMMENT_AFTER = re.compile(r"[ \t]+(#[^\s#].*)")


def _may_cut_a_text(text: str) -> bool:
    return any(found.start() and text[found.start() - 1] in " \t"
               for found in _HASH_BEFORE_TEXT.finditer(text))


def _texts_cut_by_comments(text: str, path: str, diagnostics: Diagnostics) -> None:
    """A warning for each text without quotes that a comment cuts short."""
    lines = text.splitlines()
    for token in yaml.scan(text, Loader=_TOKEN_LOADER):
        if not (isinstance(token, yaml.ScalarToken) and token.plain):
            continue
        end = token.end_mark
        comment = _COMMENT_AFTER.match(lines[end.line], end.column) if end.line < len(
            lines) else None
        if comment:
            diagnostics.warning(
                Position(path, end.line + 1, comment.start(1) + 1),
                f"'{token.value}' is followed by `{comment[1]}`, which YAML reads as a "
                f"comment, so the page shows only '{token.value}': if the # and what follows "
                f"belong to the text, put the whole text in quotes (\"{token.value} "
                f"{comment[1]}\"); if it is a comment, write a space after the #",
                "comment-in-text")


_KEY_NOT_A_NAME = "a key must be a plain name, not a list or a mapping"


def _index(node: Node, diagnostics: Diagnostics) -> None:
    """`_index_pairs` of every mapping in a composed tree."""
    if type(node) is Sequence:
        for item in node.items:
            if type(item) is not Scalar:
                _index(item, diagnostics)
    elif type(node) is Mapping:
        for _key, value in node.pairs:
            if type(value) is not Scalar:
                _index(value, diagnostics)
        _index_pairs(node, diagnostics)


def _index_pairs(mapping: Mapping, diagnostics: Diagnostics) -> None:
    """A mapping's `values` and `key_nodes` by key, from its pairs as composed; of a key
    given twice, the first is kept and the second reported."""
    pairs = mapping.pairs
    try:
        values = {key.text: value for key, value in pairs}
    except AttributeError:  # a key that is a list or a mapping: it has no text
        key = next(key for key, _value in pairs if type(key) is not Scalar)
        raise _UnsupportedYaml(key.position, _KEY_NOT_A_NAME) from None
    if len(values) == len(pairs):
        mapping.values, mapping.key_nodes = values, {key.text: key for key, _value in pairs}
        return
    for key, value in pairs:
        _add_entry(mapping, key, value, diagnostics)


def _cut_second_record(root: Mapping, diagnostics: Diagnostics) -> None:
    """A second table pasted below the first, without `---`: its first key (`kind:`)
    comes again, and others of the first table's after it. Said once there, and the rest
    left out, not reported key by key as duplicates of the first table's."""
    pairs = root.pairs
    index = _second_record_at([key.text if type(key) is Scalar else None
                               for key, _value in pairs])
    if index is not None:
        key = pairs[index][0]
        _report_second_record(key.text, key.position, diagnostics)
        del pairs[index:]


def _second_record_at(names: list[str | None]) -> int | None:
    """Where the record's first key comes again, with others of its keys after it."""
    first = names[0] if names else None
    for index, name in enumerate(names[1:], 1):
        if name == first and set(names[1:index]) & set(names[index + 1:]) - {None}:
            return index
    return None


def _report_second_record(key: str, position: Position, diagnostics: Diagnostics) -> None:
    diagnostics.error(position, f"`{key}:` again: a second record seems to start here, and "
                                "a file holds one record. Move it to a file of its own",
                      "second-record")


def _add_entry(mapping: Mapping, key: Scalar, value: Node, diagnostics: Diagnostics) -> None:
    name = key.text
    if name in mapping.values:
        diagnostics.error(
            key.position,
            f"duplicate key '{name}': it is already given on line "
            f"{mapping.key_nodes[name].line}; YAML would silently keep only the last one. "
            "Remove one of them", "duplicate-key")
        return
    mapping.values[name] = value
    mapping.key_nodes[name] = key


_UTF8_BOM = "\ufeff".encode()


def decode_source(data: bytes, path: str, diagnostics: Diagnostics) -> str | None:
    """UTF-8 text of a file, or a diagnostic naming the line of the first bad byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # what Windows Notepad calls "Unicode"
        diagnostics.error(Position(path, 1, 1), "this file is UTF-16 (\"Unicode\" in some "
                          "Windows editors); save it as UTF-8", "encoding")
        return None
    if data.startswith(_UTF8_BOM):  # the mark some Windows editors put first
        data = data[len(_UTF8_BOM):]
    try:  # not "utf-8-sig": a codec in Python, where "utf-8" is decoded in C at once
        return data.decode("utf-8")
    except UnicodeDecodeError as bad:
        line = data[: bad.start].count(b"\n") + 1
        diagnostics.error(
            Position(path, line, 1),
            "this file is not UTF-8 (perhaps GBK/GB18030 from an old editor); "
            "save it as UTF-8", "encoding")
        return None


def load_yaml_file(path: Path, shown_as: str, diagnostics: Diagnostics) -> Node | None:
    """Read a file and parse it; `shown_as` is the path printed in diagnostics."""
    data = read_source(path, shown_as, diagnostics)
    return None if data is None else parse_source(data, shown_as, diagnostics)


def read_source(path: Path, shown_as: str, diagnostics: Diagnostics) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as failure:
        diagnostics.error(Position(shown_as), f"cannot read this file: {failure.strerror}")
        return None


def parse_source(data: bytes, shown_as: str, diagnostics: Diagnostics) -> Node | None:
    text = decode_source(data, shown_as, diagnostics)
    return None if text is None else parse_yaml(text, shown_as, diagnostics)


class _TreeBuilder:
    """Turns a stream of parser events into nodes, refusing what records never need."""

    def __init__(self, text: str, path: str, diagnostics: Diagnostics) -> None:
        self.parser = _Parser(text)
        self.path = path
        self.diagnostics = diagnostics

    def _where(self, event: yaml.Event) -> tuple[int, int]:
        return event.start_mark.line + 1, event.start_mark.column + 1

    def document(self) -> Node | None:
        try:
            self.parser.get_event()  # StreamStart
            if self.parser.check_event(yaml.StreamEndEvent):
                return None
            self.parser.get_event()  # DocumentStart
            root = self._node(self.parser.get_event(), root=True)
            self.parser.get_event()  # DocumentEnd
            if not self.parser.check_event(yaml.StreamEndEvent):
                extra = self.parser.get_event()
                raise _UnsupportedYaml(
                    Position(self.path, *self._where(extra)),
                    "a record file holds one YAML document; remove this second `---` "
                    "document or put it in a file of its own")
            return root
        finally:
            self.parser.dispose()

    def _refuse_extras(self, event: yaml.Event) -> None:
        position = Position(self.path, *self._where(event))
        if isinstance(event, yaml.AliasEvent):
            raise _UnsupportedYaml(
                position, f"aliases (*{event.anchor}) are not allowed in records; write the "
                          "value out")
        if getattr(event, "anchor", None):
            raise _UnsupportedYaml(
                position, f"anchors (&{event.anchor}) are not allowed in records; write each "
                          "value out")
        tag = getattr(event, "tag", None)
        if tag is not None and not (isinstance(event, yaml.ScalarEvent) and tag == "!"):
            raise _UnsupportedYaml(
                position, f"YAML tags ({tag.replace('tag:yaml.org,2002:', '!!')}) are not "
                          "allowed in records; remove the tag, values are typed by the record "
                          "format")

    def _node(self, event: yaml.Event, root: bool = False) -> Node:
        """A node and all below it, each mapping indexed as it ends: a duplicate key is
        said even if YAML fails further on."""
        self._refuse_extras(event)
        mark = _node_mark(self.path, *self._where(event))
        if isinstance(event, yaml.ScalarEvent):
            return Scalar(None, event.value, mark, None, event.style)
        if isinstance(event, yaml.SequenceStartEvent):
            items = []
            while not self.parser.check_event(yaml.SequenceEndEvent):
                items.append(self._node(self.parser.get_event()))
            self.parser.get_event()
            return Sequence(None, items, mark, None, None)
        pairs = []
        while not self.parser.check_event(yaml.MappingEndEvent):
            key = self._node(self.parser.get_event())
            value = self._node(self.parser.get_event())
            if type(key) is not Scalar:  # said here, before YAML fails further on
                raise _UnsupportedYaml(key.position, _KEY_NOT_A_NAME)
            pairs.append((key, value))
        self.parser.get_event()
        mapping = Mapping(None, pairs, mark, None, None)
        if root:
            _cut_second_record(mapping, self.diagnostics)
        _index_pairs(mapping, self.diagnostics)
        return mapping
