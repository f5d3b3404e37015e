"""Normalise the text read for one field and say how far to trust it.

Each normaliser returns a Reading whose `trust` scales the OCR score: 1 for a
value that passes its check as read, less for one repaired from domain
knowledge, much less for one that fails its check.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from services.common.codes import id_number_check_char, id_number_problem
from services.ocr.similarity import nearest

REPAIRED = 0.9
DOUBTFUL = 0.5

# Letters the recogniser returns for digits in fields that hold only digits.
_AS_DIGITS = str.maketrans("OoDQIl|!ZzSsBgq", "000011112255899")
_DATE = re.compile(r"(\d{4})\D{0,2}?(\d{1,2})\D{0,2}?(\d{1,2})")
_CJK = re.compile(r"[\u4e00-\u9fff·]+")
_WORDING = re.compile(r"[\u4e00-\u9fff、（）]+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# Digits a recogniser confuses with each other in print, for check repairs.
_LOOKALIKES = {
    "0": "689",
    "1": "7",
    "3": "8",
    "5": "6",
    "6": "58",
    "7": "1",
    "8": "3609",
    "9": "08",
}


@dataclass(frozen=True)
class Reading:
    value: str
    trust: float = 1.0


def digits(text: str) -> str:
    """The digits of `text`, reading digit-like letters as the digits."""
    return re.sub(r"\D", "", text.translate(_AS_DIGITS))


def date(text: str) -> Reading | None:
    """An ISO date from 2025年04月28日, 2025-04-28 or 2025.4.28."""
    dates = dates_in(text)
    return dates[0] if dates else None


def dates_in(text: str) -> list[Reading]:
    """Every ISO date printed in `text`, in order."""
    plain = re.sub(r"\s", "", text)
    slipped = plain.translate(_AS_DIGITS) != plain
    found = []
    for match in _DATE.finditer(plain.translate(_AS_DIGITS)):
        try:
            day = dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            continue
        found.append(Reading(day.isoformat(), REPAIRED if slipped else 1.0))
    return found


def id_number(text: str) -> Reading | None:
    """A GB 11643 ID number, without the `T` some certificates print before it."""
    plain = re.sub(r"[\s\-]", "", text).upper()
    # The printed T may be read as a look-alike digit; 19 characters give it away.
    if len(plain) == 19 and plain[0] in "T7I1":
        plain = plain[1:]
    body = digits(plain[:17])
    check = plain[17:18].replace("x", "X")
    check = check if check == "X" else digits(check)
    number = body + check
    if len(number) != 18:
        return Reading(number, DOUBTFUL) if len(number) >= 15 else None
    if id_number_problem(number) is None and birth_date(number):
        return Reading(number)
    repaired = _repairs(number)
    if len(repaired) == 1:
        return Reading(repaired[0], DOUBTFUL + 0.3)
    return Reading(number, DOUBTFUL)


def birth_date(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def _repairs(number: str) -> list[str]:
    # One misread digit is the usual slip; accept a repair only if it is the
    # single lookalike substitution that makes the number whole.
    found = set()
    for index, char in enumerate(number):
        for other in _LOOKALIKES.get(char, ""):
            candidate = number[:index] + other + number[index + 1 :]
            body = candidate[:17]
            if candidate[17] == id_number_check_char(body) and birth_date(candidate):
                found.add(candidate)
    if number[17] != id_number_check_char(number[:17]) and birth_date(number):
        found.add(number[:17] + id_number_check_char(number[:17]))
    return sorted(found)


def person(text: str) -> Reading | None:
    """A Chinese personal name as printed."""
    name = "".join(_CJK.findall(text))
    if not name:
        return None
    return Reading(name, 1.0 if 2 <= len(name) <= 4 else DOUBTFUL)


def one_of(text: str, vocabulary: Iterable[str], max_edits: int = 2) -> Reading | None:
    """The known word `text` is, snapping small slips to it."""
    read = "".join(_WORDING.findall(text.replace("(", "（").replace(")", "）")))
    best = nearest(read, vocabulary)
    if best is None or not read:
        return None
    word, distance = best
    if distance == 0:
        return Reading(word)
    if distance <= max_edits and distance < len(word) / 3:
        return Reading(word, REPAIRED)
    return Reading(read, DOUBTFUL)


def quantity(text: str, unit: str) -> Reading | None:
    """A number followed by its unit, e.g. 12644平方米, 382天."""
    plain = re.sub(r"\s", "", text)
    number = _NUMBER.search(plain.translate(_AS_DIGITS))
    if number is None:
        return None
    tail = plain[number.end() :]
    trust = 1.0 if tail == unit else REPAIRED if tail[:1] == unit[:1] else DOUBTFUL
    return Reading(number.group() + unit, trust)


def organisation(text: str) -> Reading | None:
    """The name of a company, office or place as printed, without spacing."""
    name = re.sub(r"[\s:：]", "", text)
    name = name.replace("(", "（").replace(")", "）")
    if not _CJK.search(name):
        return None
    return Reading(name)
