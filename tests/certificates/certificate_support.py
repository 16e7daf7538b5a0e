"""Helpers for the certificate and joint discipline tests: inputs, the operations sent, the
departments' standing measures, and the rows the database holds (counted with plain SQL, so
"nothing written" is checked by counting).

The running example: the emergency management bureau holds the chemical plant's
(world.USCC_CHEMICAL) safety production licence; after a fire caused by unlicensed storage
it suspends the licence, then revokes it for a safety violation, which puts the plant on
the joint discipline list: customs withdraws its AEO recognition and inspects more often,
market supervision restricts its licensing, the park committee grants no facilitation."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.keys import SigningKeys
from liaison.db import models
from liaison.db.certificate_models import (
    Certificate,
    CertificateEvent,
    DisciplineMeasureRule,
    JointDisciplineEntry,
    JointDisciplineMeasure,
)
from world import World, post_as

Sessions = async_sessionmaker[AsyncSession]

TODAY = dt.date.today()
LEGAL_BASIS = "Regulations on Work Safety Licences art. 14"

# department code -> the measures it applies to every enterprise on the list
STANDING_MEASURES = {
    "customs": ("no_aeo_recognition", "higher_inspection_frequency"),
    "market": ("restricted_licensing",),
    "park": ("no_facilitation",),
}

CERTIFICATE_FIELDS = """
  id owner enterprise { uscc } kind number issuingBody scope validFrom validUntil status
  events { id kind occurredOn reasonCategory reason legalBasis }
"""
ISSUE = (
    "mutation($input: IssueCertificateInput!) { issueCertificate(input: $input) {"
    " certificate {" + CERTIFICATE_FIELDS + "} errors { field rule message } } }"
)
RECORD = (
    "mutation($input: RecordCertificateEventInput!) { recordCertificateEvent(input: $input) {"
    " certificate {" + CERTIFICATE_FIELDS + "} errors { field rule message } } }"
)
ENTRY_FIELDS = """
  id owner enterprise { uscc } since trigger status repairedOn repairBasis
  certificateEvent { id kind reasonCategory } creditRating { id grade }
  measures { department measure }
"""
REPAIR = (
    "mutation($input: RepairCreditInput!) { repairCredit(input: $input) {"
    " entry {" + ENTRY_FIELDS + "} errors { field rule message } } }"
)
LIST = "{ jointDisciplineList { edges { node {" + ENTRY_FIELDS + "} } } }"


def new_request_id(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}"


def licence_input(uscc: str, **overrides: Any) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "kind": "SAFETY_PRODUCTION_LICENCE",
        "number": "(沪)WH安许证字[2024]0117",
        "issuingBody": "Shanghai Emergency Management Bureau",
        "scope": "Production of methanol (30,000 t/a) and formaldehyde solution",
        "validFrom": (TODAY - dt.timedelta(days=400)).isoformat(),
        "validUntil": (TODAY + dt.timedelta(days=700)).isoformat(),
        "legalBasis": LEGAL_BASIS,
        **overrides,
    }


def event_input(certificate_id: str, kind: str, **overrides: Any) -> dict[str, Any]:
    return {
        "id": certificate_id,
        "kind": kind,
        "occurredOn": TODAY.isoformat(),
        "reasonCategory": "SAFETY_VIOLATION",
        "reason": "Fire in the unlicensed storage shed; forty drums of methanol stored there",
        "legalBasis": "Regulations on Work Safety Licences art. 22",
        **overrides,
    }


post = post_as


async def issue(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    uscc: str,
    *,
    department: str = "emergency",
    **overrides: Any,
) -> dict[str, Any]:
    body = await post(
        http,
        keys,
        ISSUE,
        department=department,
        variables={"input": licence_input(uscc, **overrides)},
    )
    payload = body["data"]["issueCertificate"]
    assert payload["errors"] == [], payload
    certificate: dict[str, Any] = payload["certificate"]
    return certificate


async def record(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    certificate_id: str,
    kind: str,
    *,
    department: str = "emergency",
    request_id: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    body = await post(
        http,
        keys,
        RECORD,
        department=department,
        variables={"input": event_input(certificate_id, kind, **overrides)},
        request_id=request_id,
    )
    payload: dict[str, Any] = body["data"]["recordCertificateEvent"]
    return payload


async def seed_standing_measures(sessions: Sessions, world: World) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            insert(DisciplineMeasureRule),
            [
                {"department_id": world.departments[code], "measure": measure}
                for code, measures in STANDING_MEASURES.items()
                for measure in measures
            ],
        )


async def counts(sessions: Sessions) -> dict[str, int]:
    async with sessions() as session:
        return {
            model.__tablename__: int(
                await session.scalar(select(func.count()).select_from(model)) or 0
            )
            for model in (
                Certificate,
                CertificateEvent,
                JointDisciplineEntry,
                JointDisciplineMeasure,
                models.CreditRating,
            )
        }


async def set_valid_until(sessions: Sessions, certificate_id: str, day: dt.date) -> None:
    """Lets a certificate's validity pass without waiting for it (its dates are data)."""
    async with sessions() as session, session.begin():
        found = await session.get_one(Certificate, int(certificate_id))
        found.valid_until = day
