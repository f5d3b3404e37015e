"""The query service: read models of every filing event, and searches."""

from datetime import UTC, datetime

from nameko.events import event_handler
from nameko.rpc import ServiceRpc, rpc

from contracts.errors import DomainError
from contracts.query import SearchCriteria
from services.common.database import Database
from services.common.dependencies import Logger
from services.common.validation import parse
from services.query import details, points, rebuild, search, tables
from services.query.projector import Projector

answer = rpc(expected_exceptions=DomainError)


class QueryService:
    name = "query"

    db = Database(tables.metadata)
    filing = ServiceRpc("filing")
    devices = ServiceRpc("devices")
    log = Logger()

    def _projector(self) -> Projector:
        return Projector(self.db, self.filing.read_stream)

    @event_handler("filing", "#", requeue_on_error=True)
    def handle_filing_event(self, event):
        applied = self._projector().apply(event)
        self.log.debug(
            "event_projected",
            stream_id=event["stream_id"],
            version=event["stream_version"],
            applied=applied,
        )

    @answer
    def search(self, actor, criteria):
        criteria = parse(SearchCriteria, criteria or {})
        with self.db.connect() as connection:
            return search.search(connection, actor, criteria, _now())

    @answer
    def hot_work_details(self, actor, hot_work_id):
        with self.db.connect() as connection:
            found = details.hot_work_details(connection, actor, hot_work_id, _now())
        cameras = points.with_presence(found["cameras"], self.devices.devices_by_ids)
        return {**found, "cameras": cameras}

    @answer
    def permit_photo(self, actor, project_id):
        with self.db.connect() as connection:
            return details.permit_photo(connection, actor, project_id)

    @answer
    def map_points(self, actor, criteria):
        criteria = parse(SearchCriteria, criteria or {})
        with self.db.connect() as connection:
            return points.map_points(
                connection, actor, criteria, _now(), self.devices.devices_by_ids
            )

    @rpc
    def rebuild(self):
        """Drop the model and replay the filing store into it."""
        replayed = rebuild.replay(self.filing.read_events)
        rebuild.write(self.db, replayed.rows())
        # Events that reached the old tables while the replay ran.
        projector = self._projector()
        caught_up = 0
        while events := self.filing.read_events(replayed.last_position, 5000):
            for event in events:
                caught_up += projector.apply(event)
                replayed.last_position = event["position"]
        self.log.info("model_rebuilt", events=replayed.events, caught_up=caught_up)
        return {"events": replayed.events, "caught_up": caught_up}

    @rpc
    def verify(self):
        """Compare the live model with a replay of the store, changing nothing."""
        replayed = rebuild.replay(self.filing.read_events)
        found = rebuild.differences(rebuild.live_rows(self.db), replayed.rows())
        return {
            "events": replayed.events,
            "equal": not found,
            "differences": found[:20],
        }


def _now() -> datetime:
    return datetime.now(UTC)
