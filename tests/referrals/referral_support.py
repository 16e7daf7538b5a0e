"""Helpers for the referral tests: inputs, the operations each side sends, and the rows
the database holds (counted with plain SQL, so "nothing written" is checked by counting).

The running example: market supervision finds methanol drums in an unlicensed shed at the
chemical plant (world.USCC_CHEMICAL) during a spot check and refers the clue to the
emergency management bureau, with a photo's worth of evidence and its own credit rating of
the enterprise; the bureau accepts it, inspects, fines the enterprise and says so."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid
from typing import Any

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.keys import SigningKeys
from liaison.db import models
from world import post_as

Sessions = async_sessionmaker[AsyncSession]

EVIDENCE = b"Spot check 2026-12-01, shed 3: 40 drums of methanol, no storage licence.\n"

REFERRAL_FIELDS = """
  id owner receiver enterprise { uscc } category description legalBasis sentOn
  feedbackDeadline status overdue acceptedOn returnedOn returnReason handledOn feedback
  penaltyDecision withdrawnOn
  attachments { id name mediaType sizeBytes sha256 contentBase64 }
  referredCreditRatings { id owner grade }
  referredRisks { id owner category }
  referredLifecycleEvents { id owner kind }
  report { id channel content reporterContact }
"""

SEND = (
    "mutation($input: SendReferralInput!) { sendReferral(input: $input) { referral { "
    + REFERRAL_FIELDS
    + " } errors { field rule message } } }"
)

MOVES = {
    "accept": "acceptReferral(input: {id: $id})",
    "return": 'returnReferral(input: {id: $id, reason: "Not within our functions"})',
    "handle": (
        'handleReferral(input: {id: $id, feedback: "Inspected; drums removed; fined", '
        'penaltyDecision: "SH-YJ-2026-0117"})'
    ),
    "withdraw": "withdrawReferral(input: {id: $id})",
}


def move_query(step: str) -> str:
    return (
        "mutation($id: ID!) { "
        + MOVES[step]
        + " { referral { id status acceptedOn returnedOn returnReason handledOn feedback "
        "penaltyDecision withdrawnOn } errors { field rule message } } }"
    )


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def attachment(content: bytes = EVIDENCE, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "shed-3-inspection.txt",
        "mediaType": "text/plain",
        "sizeBytes": len(content),
        "sha256": sha256_hex(content),
        "contentBase64": base64.b64encode(content).decode(),
        **overrides,
    }


def referral_input(uscc: str | None, **overrides: Any) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "receiver": "emergency",
        "category": "unlicensed storage",
        "description": "Forty drums of methanol kept in an unlicensed shed",
        "legalBasis": "Regulations on the Safe Management of Dangerous Chemicals art. 6",
        "feedbackWithinDays": 30,
        "attachments": [attachment()],
        **overrides,
    }


post = post_as


async def send(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    uscc: str | None,
    *,
    sender: str = "market",
    request_id: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """Sends a referral that must be accepted as valid; returns the referral."""
    body = await post(
        http,
        keys,
        SEND,
        department=sender,
        variables={"input": referral_input(uscc, **overrides)},
        request_id=request_id,
    )
    assert "errors" not in body, body
    payload = body["data"]["sendReferral"]
    assert payload["errors"] == [], payload
    referral: dict[str, Any] = payload["referral"]
    return referral


async def step(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    step_name: str,
    referral_id: str,
    *,
    department: str,
    request_id: str | None = None,
) -> dict[str, Any]:
    """One move of a referral; returns its payload (referral and errors)."""
    body = await post(
        http,
        keys,
        move_query(step_name),
        department=department,
        variables={"id": referral_id},
        request_id=request_id,
    )
    assert "errors" not in body, body
    key = {
        "accept": "acceptReferral",
        "return": "returnReferral",
        "handle": "handleReferral",
        "withdraw": "withdrawReferral",
    }[step_name]
    payload: dict[str, Any] = body["data"][key]
    return payload


TABLES = (
    "referral",
    "referral_attachment",
    "attachment_blob",
    "referred_record",
    "public_report",
    "record_change",
)


async def counts(sessions: Sessions) -> dict[str, int]:
    """Rows of every table a referral or report writes to."""
    found = {}
    async with sessions() as session:
        for table in TABLES:
            found[table] = int(
                await session.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608 - constants
                or 0
            )
    return found


async def credit_rating_id(sessions: Sessions, uscc: str, owner: str) -> str:
    async with sessions() as session:
        found = await session.scalar(
            select(models.CreditRating.id)
            .join(models.Enterprise, models.Enterprise.id == models.CreditRating.enterprise_id)
            .join(
                models.Department, models.Department.id == models.CreditRating.owner_department_id
            )
            .where(models.Enterprise.uscc == uscc, models.Department.code == owner)
        )
    assert found is not None
    return str(found)


async def risk_id(sessions: Sessions, uscc: str) -> str:
    """The id of the emergency bureau's one risk of ``uscc`` (see world.build_world)."""
    async with sessions() as session:
        found = await session.scalar(
            select(models.Risk.id)
            .join(models.Enterprise, models.Enterprise.id == models.Risk.enterprise_id)
            .where(models.Enterprise.uscc == uscc)
        )
    assert found is not None
    return str(found)


async def add_market_rating(sessions: Sessions, enterprise_id: int, market_id: int) -> str:
    """A market-credit-risk rating of market's own, for market to refer to."""
    async with sessions() as session, session.begin():
        rating = models.CreditRating(
            enterprise_id=enterprise_id,
            owner_department_id=market_id,
            scheme="market_credit_risk",
            rule_set="market-2022",
            grade="C",
            reasons="two unlicensed-storage findings in 2026",
            effective_on=dt.date(2026, 6, 1),
        )
        session.add(rating)
        await session.flush()
        return str(rating.id)


def new_request_id(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:12]}"
