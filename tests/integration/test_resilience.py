"""The query service dies mid-burst and comes back: nothing lost, nothing doubled."""

from concurrent.futures import ThreadPoolExecutor

from tests.support.client import FilingClient
from tests.support.factories import new_credit_code
from tests.support.processes import wait_until

FILINGS = 1000


def test_query_killed_during_a_burst_catches_up_exactly(suite):
    code = new_credit_code()
    client = FilingClient(suite.url, suite.headers(role="enterprise", credit_code=code))

    def file(number: int) -> str:
        if number == FILINGS // 3:
            suite.kill("query")
        return client.file_complete()["hot_work_id"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        filed = set(pool.map(file, range(FILINGS)))
    suite.start("query")

    def caught_up():
        page = client.search(page_size=1, incomplete="false")
        return page["total"] >= FILINGS and page

    page = wait_until(caught_up, timeout=180, interval=1, what="query catch-up")
    assert page["total"] == FILINGS
    assert len(filed) == FILINGS
    with suite.rpc() as cluster:
        verdict = cluster.query.verify()
    assert verdict["equal"], verdict["differences"]
