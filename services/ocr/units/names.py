"""The one way two spellings of a unit's name are taken as the same name."""

from __future__ import annotations

import unicodedata


def name_key(name: str) -> str:
    """`name` with full-width forms folded to half-width and no whitespace.

    NFKC turns full-width letters, digits and brackets (（）, Ａ, １) into their
    ASCII forms; nothing else is changed, so two different companies never
    share a key (有限公司 and 有限责任公司 stay apart).
    """
    folded = unicodedata.normalize("NFKC", name)
    return "".join(folded.split())
