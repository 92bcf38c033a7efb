"""Numbers, values and dates in English, from their parsed parts.

The Chinese page shows what was filed (`≥14500.00(人)`); the English page shows what it
means (`≥ 14,500 persons`), built from the operator, number and unit the validator parsed
and the glossary's English for the unit — never by machine-translating the raw text.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .glossary import Glossary
from .markup import CJK
from .model import TEN_THOUSAND, IndicatorValue, Text, in_yuan

# A unit of ten thousand (万元, 万件): its English in the glossary starts so, and a figure
# in it is said in the unit itself, the figure times 10,000.
_TEN_THOUSAND_UNIT = "10,000 "
_OPERATOR_ENGLISH = {"=": "", "≥": "≥ ", "≤": "≤ ", ">": "> ", "<": "< "}


def plain_number(number: Decimal) -> str:
    """14500.00 → '14,500'; 0.10 → '0.1': trailing zeros carry no meaning in a target."""
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}" if whole.lstrip("-").isdigit() else whole
    return f"{grouped}.{fraction}" if fraction else grouped


def english_text(text: Text | str, glossary: Glossary) -> str | None:
    """A text's English as the English page shows it, or None: words with no Chinese in
    them (codes, dates, names in Latin script) are the same in both languages; else the
    record's English, or the glossary's for a standard term."""
    zh, en = (text.zh, text.en) if isinstance(text, Text) else (text, None)
    try:
        chinese, term = glossary.words_english[zh]
    except KeyError:
        chinese, term = _words_english(zh, glossary)
    return (en or term) if chinese else zh


# Words this long are narrative, unique to their record: not kept. Nor more than this
# many words in all, for a process that goes through ten thousand records.
_KEPT_WORDS_LENGTH, _KEPT_WORDS = 64, 50_000


def _words_english(zh: str, glossary: Glossary) -> tuple[bool, str | None]:
    chinese = CJK.search(zh) is not None
    found = chinese, glossary.english(zh) if chinese else None
    if len(zh) <= _KEPT_WORDS_LENGTH:
        if len(glossary.words_english) >= _KEPT_WORDS:
            glossary.words_english.clear()
        glossary.words_english[zh] = found
    return found


def english_value(value: IndicatorValue, glossary: Glossary) -> str | None:
    """A target value in English, or None where the parts cannot say it."""
    if value.en:
        return value.en
    # Keyed by the raw text, whose hash Python keeps, not by the value (a hash of seven
    # fields each time): its parts are values.parse_indicator_value's of that text.
    try:
        return glossary.value_english[value.raw]
    except KeyError:
        english = glossary.value_english[value.raw] = _english_value(value, glossary)
        return english


def _english_value(value: IndicatorValue, glossary: Glossary) -> str | None:
    if value.qualitative:
        return glossary.qualitative.get(value.qualitative)
    if value.number is None or value.operator is None:
        return None
    number, unit = value.number, None
    if value.unit:
        unit = glossary.unit_english(value.unit, plural=number != 1)
        if unit is None:
            return None
        if unit.startswith(_TEN_THOUSAND_UNIT):  # ≤4万元: "≤ 40,000 yuan", not "≤ 4 10,000 yuan"
            number, unit = number * TEN_THOUSAND, unit.removeprefix(_TEN_THOUSAND_UNIT)
    figure = _OPERATOR_ENGLISH[value.operator] + plain_number(number)
    if unit:
        figure += unit if unit == "%" else f" {unit}"
    if value.subject:
        subject = glossary.english(value.subject)
        if subject is None:
            return None
        figure = f"{subject}: {figure}"
    return figure


def english_amount(amount: Decimal, unit: str) -> str:
    """`CNY 9,593,190.00`; a 万元 amount converted, its figure as filed kept beside it."""
    converted = f"CNY {in_yuan(amount, unit):,}"
    if unit == "万元":
        return f"{converted} ({plain_number(amount)} × 10,000 yuan)"
    return converted


def english_date(text: str) -> str:
    """ISO dates stay; `2024年` (a whole year) becomes `2024`."""
    match = re.fullmatch(r"(\d{4})年度?", text)
    return match[1] if match else text


def english_years(text: str) -> str:
    """`(2023年-2023年)` → `(2023-2023)`: a span of years printed beside a goal."""
    return re.sub(r"(\d{4})\s*年度?", r"\1", text)
