"""Beijing's districts and the offices that issue the documents we read.

An office outside Beijing is kept as read, with half the trust, since only
Beijing's offices are known here.
"""

from __future__ import annotations

from contracts.values import DISTRICTS as ALL_DISTRICTS
from services.ocr.similarity import nearest
from services.ocr.values import REPAIRED, Reading

# The sixteen districts (GB/T 2260); the development area issues no permits
# under a district name of its own.
DISTRICTS = {code: name for code, name in ALL_DISTRICTS.items() if code != "110302"}
CITY = "北京市"
_HOUSING = "住房和城乡建设委员会"
_EMERGENCY = "应急管理局"


def housing_commission(read: str, district_code: str | None) -> Reading:
    """The construction-permit authority, city or district, from its reading.

    The seal is pressed over this line and often hides the district's name;
    then the district comes from the permit number, with less trust.
    """
    return _office(read, _HOUSING, district_code)


def emergency_bureau(read: str, district_code: str | None = None) -> Reading:
    """The bureau that issues special operation certificates."""
    return _office(read, _EMERGENCY, district_code)


def _office(read: str, office: str, district_code: str | None) -> Reading:
    offices = [CITY + office, *(CITY + name + office for name in DISTRICTS.values())]
    named = [name for name in DISTRICTS.values() if name[:-1] in read]
    if named:
        return Reading(CITY + named[0] + office, _trust(read, CITY + named[0] + office))
    head = read.split(office[:2])[0] if office[:2] in read else read
    if head.endswith("区") and district_code in DISTRICTS:
        return Reading(CITY + DISTRICTS[district_code] + office, REPAIRED)
    best = nearest(read, offices)
    if best is None:
        return Reading(read, 0.5)
    word, distance = best
    if distance == 0:
        return Reading(word)
    return Reading(word, REPAIRED) if distance <= 3 else Reading(read, 0.5)


def _trust(read: str, word: str) -> float:
    return 1.0 if read == word else REPAIRED
