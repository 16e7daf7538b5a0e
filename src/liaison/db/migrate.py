"""Run the Alembic migrations: the only way Liaison's tables come into being."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import URL

from liaison.db.engine import async_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str | URL) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option(
        "sqlalchemy.url",
        async_url(database_url).render_as_string(hide_password=False).replace("%", "%%"),
    )
    return config


def upgrade(database_url: str | URL, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)
