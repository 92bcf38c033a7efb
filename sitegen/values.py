"""Parsing of amounts and indicator values: exact decimals, never floats."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .model import IndicatorValue

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，％（）＝＞＜", "0123456789.,%()=><")
MAX_DIGITS = 20
_AMOUNT = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$", re.ASCII)
_SPACE_AROUND_COMMA = re.compile(r"\s*,\s*")
_SPACE_BETWEEN_DIGITS = re.compile(r"(?<=\d)\s+(?=\d)")

OPERATORS = {
    "=": "=", "≥": "≥", ">=": "≥", "≧": "≥", "≤": "≤", "<=": "≤", "≦": "≤", ">": ">", "<": "<",
}
# Words around a number that act as an operator: 不低于90% is ≥90%, 2次以上 is ≥2次.
_PREFIX_WORDS = {"不低于": "≥", "不少于": "≥", "至少": "≥", "达到": "≥", "不超过": "≤",
                 "不高于": "≤", "不多于": "≤", "低于": "<", "小于": "<", "高于": ">", "大于": ">"}
_SUFFIX_WORDS = {"以上": "≥", "以下": "≤", "以内": "≤"}

_VALUE = re.compile(
    r"^(?P<subject>[^\d=<>≥≤≧≦]*?)"
    r"(?P<word>" + "|".join(_PREFIX_WORDS) + r")?"
    r"(?P<op>>=|<=|[=≥≤≧≦><])?"
    r"(?P<number>\d+(?:,\d{3})*(?:\.\d+)?)"
    r"\(?(?P<unit>[^()\d]*?)\)?"
    r"(?P<suffix>以上|以下|以内)?[；;。]?$"
)


def normalise(text: str) -> str:
    """Full-width digits and signs to ASCII, all white space removed."""
    return "".join(text.translate(_FULL_WIDTH).split())


def parse_amount(text: str) -> Decimal | None:
    """`9,593,190.00` → Decimal('9593190.00'); None if it is not an amount.

    A space between digits groups thousands like a comma (`9 593 190.00`), so it must
    fall every three digits too: `1 000 00` is a typo, not 100000.
    """
    cleaned = _SPACE_AROUND_COMMA.sub(",", text.translate(_FULL_WIDTH).strip())
    cleaned = "".join(_SPACE_BETWEEN_DIGITS.sub(",", cleaned).split())
    if not _AMOUNT.match(cleaned):
        return None
    try:
        amount = Decimal(cleaned.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None
    # No budget figure has more digits; sums and rounding keep exact within Decimal's 28.
    return amount if len(amount.as_tuple().digits) <= MAX_DIGITS else None


@lru_cache(maxsize=65536)  # the same few hundred values recur across thousands of tables
def parse_indicator_value(raw: str, qualitative_words: frozenset[str]) -> IndicatorValue:
    """Split a target value into operator, number and unit, or recognise a qualitative word.

    A value that is neither is kept verbatim with no parts; the checker warns about it.
    """
    text = normalise(raw)
    if text in qualitative_words:
        return IndicatorValue(raw=raw, qualitative=text)
    match = _VALUE.match(text)
    if not match or (match["subject"] and not (match["word"] or match["suffix"])):
        return IndicatorValue(raw=raw)
    operator = (OPERATORS.get(match["op"] or "")
                or _PREFIX_WORDS.get(match["word"] or "")
                or _SUFFIX_WORDS.get(match["suffix"] or "")
                or "=")
    number = Decimal(match["number"].replace(",", ""))
    return IndicatorValue(raw=raw, operator=operator, number=number,
                          unit=match["unit"] or None, subject=match["subject"] or None)


def format_amount(amount: Decimal) -> str:
    """Thousands separators, keeping the scale as filed: 9593190.00 → 9,593,190.00."""
    return f"{amount:,}"


# -- names under content/ ------------------------------------------------------------------
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # whole names only: fullmatch
# Addresses of the site's own pages beside the publishers' (build/<language>/<name>/).
RESERVED_FOLDERS = {"search": "the search page"}
YEAR_FOLDER = re.compile(r"[0-9]{4}")  # not \d: ２０２４ is no folder a URL should hold


NAME_RULE = "lower-case letters a-z, digits and single hyphens, e.g. office-renovation"


def _slug_message(what: str, name: str) -> str:
    return f"the {what} '{name}' is not a safe name for a web address: use {NAME_RULE}"


# The rules a name under content/ must follow to be published: `discover` applies them to
# what it finds, `sitegen new` to what it is asked to write, so it never writes a record
# that the build would then skip.
def publisher_name_problem(name: str) -> str | None:
    if not SLUG.fullmatch(name):
        return _slug_message("publisher folder", name)
    if name in RESERVED_FOLDERS:
        return (f"a publisher folder cannot be named '{name}': that address is "
                f"{RESERVED_FOLDERS[name]}; rename the folder")
    return None


def record_name_problem(name: str) -> str | None:
    return None if SLUG.fullmatch(name) else _slug_message("record file name", name)


def year_folder_problem(year: int | str) -> str | None:
    if YEAR_FOLDER.fullmatch(str(year)):
        return None
    return (f"the year '{year}' is not a four-digit year (e.g. 2024): records live in "
            "content/<publisher>/<year>/")
