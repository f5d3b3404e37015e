"""Check characters of the national identifier codes the filings carry.

GB 32100-2015: the 18-character unified social credit code of an organisation.
GB 11714-1997: the organisation code embedded in it (characters 9 to 17).
GB 11643-1999: the 18-character citizen ID number printed on certificates.
"""

from __future__ import annotations

import re

# GB 32100 leaves out I, O, Z, S and V so that no character reads as a digit.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_CREDIT_PATTERN = re.compile(r"[0-9ABCDEFGHJKLMNPQRTUWXY]{18}")

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_BODY = re.compile(r"[0-9A-Z]{8}")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_PATTERN = re.compile(r"\d{17}[\dX]")


def credit_code_check_char(body: str) -> str:
    """The 18th character for the first 17 of a credit code."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(char) * weight
        for char, weight in zip(body, _CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def organisation_code_check_char(body: str) -> str:
    """The 9th character of a GB 11714 organisation code."""
    total = sum(
        _org_value(char) * weight
        for char, weight in zip(body, _ORG_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def _org_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def credit_code_problem(code: str) -> str | None:
    """Why `code` is not a valid unified social credit code, or None if it is."""
    if not _CREDIT_PATTERN.fullmatch(code):
        return "must be 18 digits or capitals, none of I, O, Z, S, V"
    if credit_code_check_char(code[:17]) != code[17]:
        return "check character does not match (GB 32100)"
    organisation = code[8:17]
    if not _ORG_BODY.fullmatch(organisation[:8]):
        return "embedded organisation code is malformed (GB 11714)"
    if organisation_code_check_char(organisation[:8]) != organisation[8]:
        return "embedded organisation code check does not match (GB 11714)"
    return None


def id_number_check_char(body: str) -> str:
    """The 18th character of a citizen ID number for its first 17 digits."""
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def id_number_problem(number: str) -> str | None:
    """Why `number` is not a valid GB 11643 ID number, or None if it is."""
    if not _ID_PATTERN.fullmatch(number):
        return "must be 17 digits and a digit or X"
    if id_number_check_char(number[:17]) != number[17]:
        return "check digit does not match (GB 11643)"
    return None


def sex_of_id_number(number: str) -> str:
    """'男' or '女', from the parity of the 17th digit."""
    return "男" if int(number[16]) % 2 else "女"
