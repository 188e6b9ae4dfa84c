"""The metadata database: engine, unit of work, models, migrations and repositories."""

from citeflow.db.engine import Database
from citeflow.db.migrate import upgrade

__all__ = ["Database", "upgrade"]
