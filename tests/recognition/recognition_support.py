"""Helpers for the recognition tests: the grants, inputs and operations, and the rows the
database holds (counted with plain SQL, so "nothing written" is checked by counting).

The running example: the emergency bureau certified the chemical plant (world.USCC_CHEMICAL)
at standardization level 2; customs recognises that level and inspects the plant less
often. The bureau in turn recognises the plant's customs credit grade (world: customs rates
every enterprise "certified" under customs-2026) with procedure simplification."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.keys import SigningKeys
from liaison.db import models
from world import grant, post_as

Sessions = async_sessionmaker[AsyncSession]
PURPOSE = "information_exchange"
TODAY = dt.date.today()

CERTIFICATES_TO_CUSTOMS = {
    "provider": "emergency",
    "consumers": ["customs"],
    "record_type": "standardization_certificate",
    "purposes": [PURPOSE],
    "fields": {"level": "full", "issued_on": "full", "valid_until": "full"},
}
RATINGS_TO_EMERGENCY = {
    "provider": "customs",
    "consumers": ["emergency"],
    "record_type": "credit_rating",
    "purposes": [PURPOSE],
    "fields": {
        "scheme": "full",
        "rule_set": "full",
        "grade": "full",
        "effective_on": "full",
        "expires_on": "full",
    },
}

RECOGNITION_FIELDS = """
  id owner recognised enterprise { uscc } resultType facilitation validFrom validUntil
  legalBasis recordedOn status inForce lapsedOn lapseReason
  standardizationCertificate { id level } creditRating { id grade }
"""
RECORD = (
    "mutation($input: RecordRecognitionInput!) { recordRecognition(input: $input) { "
    "recognition { " + RECOGNITION_FIELDS + " } errors { field rule message } } }"
)
ISSUE_RATING = """
mutation($input: IssueCreditRatingInput!) {
  issueCreditRating(input: $input) { rating { id grade } errors { field rule message } }
}"""


def recognition_input(
    uscc: str, result_type: str, result_id: str, **overrides: Any
) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "resultType": result_type,
        "resultId": result_id,
        "facilitation": "REDUCED_INSPECTION_FREQUENCY",
        "validFrom": TODAY.isoformat(),
        "validUntil": (TODAY + dt.timedelta(days=365)).isoformat(),
        "legalBasis": "FTZ-MOU-2026-01 art. 4 (mutual recognition of supervision results)",
        **overrides,
    }


async def post(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    query: str,
    *,
    department: str,
    purpose: str | None = PURPOSE,
    **given: Any,
) -> dict[str, Any]:
    """As :func:`world.post_as`, stating the mutual recognition purpose unless told not to."""
    return await post_as(http, keys, query, department=department, purpose=purpose, **given)


async def record(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    department: str,
    given: dict[str, Any],
    request_id: str | None = None,
) -> dict[str, Any]:
    """``recordRecognition``'s payload (recognition and errors)."""
    body = await post(
        http, keys, RECORD, department=department, variables={"input": given}, request_id=request_id
    )
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["recordRecognition"]
    return payload


async def recognised(
    http: httpx.AsyncClient, keys: SigningKeys, department: str, given: dict[str, Any]
) -> dict[str, Any]:
    """Records a recognition that must be accepted as valid; returns it."""
    payload = await record(http, keys, department, given)
    assert payload["errors"] == [], payload
    found: dict[str, Any] = payload["recognition"]
    return found


async def add_certificate(
    sessions: Sessions,
    enterprise_id: int,
    owner_id: int,
    *,
    level: int = 2,
    issued_on: dt.date = dt.date(2026, 3, 1),
    valid_until: dt.date | None = None,
    number: str = "AQBH-2026-0042",
) -> str:
    async with sessions() as session, session.begin():
        certificate = models.StandardizationCertificate(
            enterprise_id=enterprise_id,
            owner_department_id=owner_id,
            level=level,
            certificate_number=number,
            issued_on=issued_on,
            valid_until=valid_until or TODAY + dt.timedelta(days=3 * 365),
        )
        session.add(certificate)
        await session.flush()
        return str(certificate.id)


async def customs_rating_id(sessions: Sessions, enterprise_id: int) -> str:
    async with sessions() as session:
        found = await session.scalar(
            select(models.CreditRating.id).where(models.CreditRating.enterprise_id == enterprise_id)
        )
    assert found is not None
    return str(found)


async def share_results(sessions: Sessions) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CERTIFICATES_TO_CUSTOMS, RATINGS_TO_EMERGENCY)


TABLES = ("recognition", "record_change")


async def counts(sessions: Sessions) -> dict[str, int]:
    found = {}
    async with sessions() as session:
        for table in TABLES:
            found[table] = int(
                await session.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608 - constants
                or 0
            )
    return found
