"""Search by any part of the name, case-insensitive, a page at a time."""

from contracts.devices import DeviceSearch


def test_keyword_matches_any_part_of_the_name_in_any_case(registry, company):
    for name in ("East Gate", "east yard", "North gate", "塔吊东侧", "100%_odd"):
        registry.register(company, name=name)
    found = registry.search(company, DeviceSearch(q="GATE"))
    assert sorted(item["name"] for item in found["items"]) == [
        "East Gate",
        "North gate",
    ]
    assert registry.search(company, DeviceSearch(q="东"))["total"] == 1
    # LIKE's wildcards are searched as themselves.
    assert registry.search(company, DeviceSearch(q="%_"))["total"] == 1
    assert registry.search(company, DeviceSearch(q="_"))["total"] == 1


def test_pages_cover_every_match_once_newest_first(registry, company):
    ids = [registry.register(company, name=f"cam {n}")["id"] for n in range(7)]
    pages = [
        registry.search(company, DeviceSearch(q="cam", page=page, page_size=3))
        for page in (1, 2, 3, 4)
    ]
    assert [page["total"] for page in pages] == [7, 7, 7, 7]
    assert [len(page["items"]) for page in pages] == [3, 3, 1, 0]
    seen = [item["id"] for page in pages for item in page["items"]]
    assert sorted(seen) == sorted(ids)
    assert seen[0] == ids[-1]


def test_the_owner_sees_passwords_in_the_list(registry, company):
    registry.register(company, password="Pw1234")
    page = registry.search(company, DeviceSearch())
    assert page["items"][0]["password"] == "Pw1234"
