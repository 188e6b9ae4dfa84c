"""Schema migrations: Alembic revisions shipped in the package, applied on start-up."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from citeflow.db.engine import db_errors

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; a no-op when it is there already."""
    with db_errors():
        command.upgrade(alembic_config(engine), revision)
