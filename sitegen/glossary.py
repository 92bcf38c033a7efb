"""The glossary of standard terms and the form families, loaded from data files.

Data, not code (`sitegen/data/glossary.yaml`, `sitegen/data/forms.yaml`): the English of
every form label, level name, qualitative value and unit, shared by HTML and PDF.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import BuildError, Diagnostics, Position
from .load import Mapping, Node, Scalar, Sequence, load_yaml_file
from .model import Text

DATA_DIR = Path(__file__).parent / "data"


def plain(node: Node | None) -> Any:
    """Nodes as plain Python (str, list, dict); for trusted data files only."""
    if node is None:
        return None
    if isinstance(node, Scalar):
        return None if node.is_null else node.text
    if isinstance(node, Sequence):
        return [plain(item) for item in node.items]
    return {key: plain(value) for key, value in node.values.items()}


# The number some forms print before a level's name (一、产出指标, （二）效益指标, 1.数量指标):
# the same level, matched without it. A bare 一 is not one (一级指标 keeps it).
_ORDINAL = re.compile(r"(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.．])")


def _without_ordinal(key: str) -> str:
    found = _ORDINAL.match(key)
    return key[found.end():] if found else key


def squeeze(text: str) -> str:
    """A term as matched: white space inside labels is extraction noise (`产出 指标`)."""
    return "".join(text.split())


@dataclass(frozen=True)
class LevelTerm:
    """A recognised indicator level name."""

    key: str
    level_set: str
    zh: str
    en: str


@dataclass(frozen=True)
class FormFamily:
    id: str
    name: Text
    fact_labels: dict[str, str]
    title: str | None  # as the form prints it
    # What `sitegen new --form` writes for the family: forms.yaml describes its shape.
    # A family added with labels only (docs/import.md) has none: `new` says so.
    skeleton: dict[str, Any] | None = field(compare=False)


@dataclass
class Glossary:
    levels: dict[tuple[int, str], list[LevelTerm]] = field(default_factory=dict)
    level_set_names: dict[str, Text] = field(default_factory=dict)
    qualitative: dict[str, str] = field(default_factory=dict)
    units: dict[str, tuple[str, str]] = field(default_factory=dict)
    terms: dict[str, str] = field(default_factory=dict)
    forms: dict[str, FormFamily] = field(default_factory=dict)
    ui: dict[str, Text] = field(default_factory=dict)
    # English of target values by their raw text, worked out once per glossary
    # (localize.english_value): a value is put into English for its page, the translation
    # audit, the JSON and the CSV, and the same few hundred values recur across thousands
    # of tables.
    value_english: dict[str, str | None] = field(default_factory=dict, repr=False,
                                                 compare=False)
    # Whether words hold Chinese, and the glossary's English for them, worked out once
    # per glossary for short words (localize.english_text): level names, headers and
    # indicator names recur on every page, in the JSON and in the CSV.
    words_english: dict[str, tuple[bool, str | None]] = field(
        default_factory=dict, repr=False, compare=False)

    @property
    def qualitative_words(self) -> frozenset[str]:
        return frozenset(self.qualitative)

    def level(self, depth: int, name: str, prefer_set: str | None = None) -> LevelTerm | None:
        """The standard level a name stands for (depth 1 or 2), or None if it is free text."""
        key = squeeze(name)
        candidates = self.levels.get((depth, key)) or self.levels.get(
            (depth, _without_ordinal(key)), [])
        for term in candidates:
            if term.level_set == prefer_set:
                return term
        return candidates[0] if candidates else None

    def closest_level(self, depth: int, name: str) -> str | None:
        """The standard level name (depth 1 or 2) that `name`, itself none, is most likely
        a typo of (产出指表 → 产出指标), or None."""
        if any(self.level(at, name) for at in (1, 2)):
            return None  # a standard name at the other depth (a report's 满意度指标 twice)
        names = sorted({term.zh for (at, _), terms in self.levels.items() if at == depth
                        for term in terms})
        key = squeeze(name)
        # A short name one character off (数理 for 数量) is as likely a slip as a long one
        # two off, but far from it by difflib's ratio (0.5).
        close = difflib.get_close_matches(key, names, n=1, cutoff=0.75) or [
            known for known in names if _one_character_off(key, known)][:1]
        if not close or close[0].removesuffix("指标") == key.removesuffix("指标"):
            return None  # 满意度 / 满意度指标: the same level, said with or without 指标
        return close[0]

    def english(self, zh: str) -> str | None:
        """English of a standard term: form labels, level names, qualitative values."""
        key = squeeze(zh)
        level = self._level_at_any_depth(key)
        if level:
            return level.en
        found = self.terms.get(zh) or self.terms.get(key) or self.qualitative.get(key)
        if found is None and (plain := _without_ordinal(key)) != key:
            level = self._level_at_any_depth(plain)  # 一、产出指标 is Output indicators
            return level.en if level else None
        return found

    def _level_at_any_depth(self, key: str) -> LevelTerm | None:
        for depth in (1, 2):
            if (depth, key) in self.levels:
                return self.levels[(depth, key)][0]
        return None

    def unit_english(self, unit: str, plural: bool) -> str | None:
        found = self.units.get(unit)
        if not found:
            return None
        return found[1] if plural else found[0]


def _add_level_sets(glossary: Glossary, sets: dict[str, Any]) -> None:
    for set_id, spec in sets.items():
        glossary.level_set_names[set_id] = Text(spec["name"]["zh"], spec["name"]["en"])
        for depth, part in ((1, "first"), (2, "second")):
            for zh, term in spec[part].items():
                entry = LevelTerm(term["key"], set_id, zh, term["en"])
                for alias in [zh, *term.get("aliases", [])]:
                    glossary.levels.setdefault((depth, squeeze(alias)), []).append(entry)


def _read_data(*paths: Path) -> list[Any]:
    """Each data file as plain Python; a broken one stops the run with its diagnostics."""
    diagnostics = Diagnostics()
    read = []
    for path in paths:
        node = load_yaml_file(path, str(path), diagnostics)
        if not isinstance(node, Mapping) and not diagnostics.has_errors():
            diagnostics.error(Position(str(path)), "this data file must be a mapping of entries")
        read.append(plain(node) or {})
    if diagnostics.has_errors():
        raise BuildError(diagnostics)
    return read


def load_glossary(data_dir: Path = DATA_DIR) -> Glossary:
    """Read the glossary and forms; a broken data file stops the run with its diagnostics."""
    glossary_data, forms_data = _read_data(data_dir / "glossary.yaml", data_dir / "forms.yaml")
    glossary = Glossary()
    _add_level_sets(glossary, glossary_data.get("level_sets", {}))
    glossary.qualitative = {squeeze(k): v for k, v in glossary_data.get("qualitative", {}).items()}
    glossary.units = {k: (v["en"], v.get("plural", v["en"]))
                      for k, v in glossary_data.get("units", {}).items()}
    glossary.terms = {**glossary_data.get("terms", {}), **glossary_data.get("names", {})}
    glossary.ui = {key: Text(v["zh"], v["en"]) for key, v in glossary_data.get("ui", {}).items()}
    glossary.forms = form_families(forms_data)
    return glossary


def load_forms(data_dir: Path = DATA_DIR) -> dict[str, FormFamily]:
    """The form families alone (`sitegen new` and its placeholders need no glossary)."""
    (forms_data,) = _read_data(data_dir / "forms.yaml")
    return form_families(forms_data)


def form_families(forms_data: dict[str, Any]) -> dict[str, FormFamily]:
    default_labels = forms_data.get("default", {}).get("fact_labels", {})
    return {form_id: FormFamily(form_id, Text(spec["name"]["zh"], spec["name"]["en"]),
                                {**default_labels, **(spec.get("fact_labels") or {})},
                                spec.get("title"), spec.get("skeleton"))
            for form_id, spec in forms_data.items() if form_id != "default"}


def _one_character_off(name: str, known: str) -> bool:
    """Two short names (up to three characters) that differ in exactly one place."""
    return (len(name) == len(known) <= 3
            and sum(mine != theirs for mine, theirs in zip(name, known, strict=True)) == 1)
