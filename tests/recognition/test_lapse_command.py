"""``liaison maintenance lapse-recognitions``: lapses what expired by the given day, with
one audit event, and leaves the chain verifiable."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
from click.testing import CliRunner, Result
from recognition_support import (
    RATINGS_TO_EMERGENCY,
    TODAY,
    Sessions,
    recognised,
    recognition_input,
)
from sqlalchemy import select

from liaison.api.cli import main
from liaison.api.keys import SigningKeys
from liaison.db import models
from liaison.db.audit import verify_chain
from liaison.db.recognition_models import Recognition
from world import USCC_PAINTS, World, grant


async def cli(*args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, main, list(args))


async def test_the_command_lapses_a_recognition_whose_rating_expired(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    sessions: Sessions,
    world: World,
    database_url: str,
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, RATINGS_TO_EMERGENCY)
        rating = models.CreditRating(
            enterprise_id=world.enterprises[USCC_PAINTS],
            owner_department_id=world.departments["customs"],
            scheme="customs_enterprise_credit",
            rule_set="customs-2026",
            grade="advanced_certified",
            effective_on=dt.date(2026, 1, 15),
            expires_on=TODAY + dt.timedelta(days=10),
        )
        session.add(rating)
        await session.flush()
        rating_id = rating.id
    made = await recognised(
        http,
        keys,
        "emergency",
        recognition_input(
            USCC_PAINTS, "CREDIT_RATING", str(rating_id), facilitation="FAST_RELEASE"
        ),
    )
    day = (TODAY + dt.timedelta(days=11)).isoformat()

    result = await cli(
        "maintenance", "lapse-recognitions", "--database-url", database_url, "--today", day
    )

    assert result.exit_code == 0, result.output
    assert result.output == f"lapsed 1 recognition(s) as of {day}: {made['id']}\n"
    async with sessions() as session:
        row = await session.get_one(Recognition, int(made["id"]))
        broken = await verify_chain(session)
        still = await session.scalar(
            select(models.CreditRating.id).where(models.CreditRating.id == rating_id)
        )
    assert (row.status, row.lapsed_on.isoformat() if row.lapsed_on else None) == ("lapsed", day)
    assert row.lapse_reason == (
        f"the credit rating expired on {(TODAY + dt.timedelta(days=10)).isoformat()}"
    )
    assert broken is None
    assert still == rating_id


async def test_the_command_with_nothing_to_lapse_says_so(
    sessions: Sessions, world: World, database_url: str
) -> None:
    result = await cli("maintenance", "lapse-recognitions", "--database-url", database_url)

    assert result.exit_code == 0, result.output
    assert result.output == f"lapsed 0 recognition(s) as of {TODAY.isoformat()}: none\n"
