from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from liaison.db import (
    audit_models,  # noqa: F401  (registers the audit tables)
    certificate_models,  # noqa: F401  (registers the certificate and joint discipline tables)
    identity_models,  # noqa: F401  (registers the identity tables)
    incident_models,  # noqa: F401  (registers the incident tables)
    inspection_models,  # noqa: F401  (registers the joint inspection tables)
    ledger_models,  # noqa: F401  (registers the ledger's alterations, departments' places)
    people_models,  # noqa: F401  (registers the people tables)
    recognition_models,  # noqa: F401  (registers the recognition tables)
    rectification_models,  # noqa: F401  (registers the rectification tables)
    referral_models,  # noqa: F401  (registers the referral tables)
)
from liaison.db.engine import create_engine
from liaison.db.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


asyncio.run(_run_online())
