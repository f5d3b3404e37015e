"""A service's own database as a nameko dependency: an engine, tables made."""

from nameko.extensions import DependencyProvider
from sqlalchemy import Engine, MetaData

from services.common.config import database_url, setting
from services.common.db import make_engine


class Database(DependencyProvider):
    def __init__(self, metadata: MetaData):
        self.metadata = metadata

    def setup(self):
        url = database_url(self.container.service_name)
        pool = int(setting("DB_POOL_SIZE", 10))
        self.engine: Engine = make_engine(url, pool_size=pool)
        self.metadata.create_all(self.engine)

    def get_dependency(self, worker_ctx) -> Engine:
        return self.engine
