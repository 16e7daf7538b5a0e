"""Helpers for the ledger tests: posting operations with real tokens, and counting rows
with plain SQL, so "nothing written" is checked by counting.

The running example: the emergency management bureau grades the chemical plant
(world.USCC_CHEMICAL) B after its self-assessment of 82.5 and certifies its work-safety
standardization at level 2; market supervision, which registered it, records its move to
a new address under a new legal representative."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.keys import SigningKeys
from world import post_as

Sessions = async_sessionmaker[AsyncSession]
# Valid (GB 32100-2015 check character), registered in no test world.
UNKNOWN_USCC = "91310000MA1FL0AB6D"

GRADE = """
mutation($input: GradeEnterpriseInput!) {
  gradeEnterprise(input: $input) {
    grade { id owner enterprise { uscc } scheme grade assessedOn validUntil
            selfAssessmentScore selfAssessedOn }
    errors { field rule message }
  }
}"""

ISSUE = """
mutation($input: IssueStandardizationCertificateInput!) {
  issueStandardizationCertificate(input: $input) {
    certificate { id owner level certificateNumber issuedOn validUntil status revokedOn
                  revocationReason }
    errors { field rule message }
  }
}"""

REVOKE = """
mutation($input: RevokeStandardizationCertificateInput!) {
  revokeStandardizationCertificate(input: $input) {
    certificate { id status revokedOn revocationReason }
    errors { field rule message }
  }
}"""

ALTER = """
mutation($input: AlterEnterpriseInput!) {
  alterEnterprise(input: $input) {
    alteration { id owner alteredOn basis oldName newName oldAddress newAddress
                 oldLegalRepresentative newLegalRepresentative oldBusinessScope
                 newBusinessScope }
    enterprise { uscc name address legalRepresentative businessScope }
    errors { field rule message }
  }
}"""


def grade_input(enterprise: str, **overrides: Any) -> dict[str, Any]:
    return {
        "uscc": enterprise,
        "scheme": "ENTERPRISE_SUPERVISION",
        "selfAssessmentScore": "82.5",
        "selfAssessedOn": "2026-09-01",
        "grade": "B",
        "assessedOn": "2026-10-15",
        "validUntil": "2027-10-14",
        **overrides,
    }


def certificate_input(enterprise: str, **overrides: Any) -> dict[str, Any]:
    return {
        "uscc": enterprise,
        "level": 2,
        "certificateNumber": "AQBH-SH-2026-0042",
        "issuedOn": "2026-06-01",
        "validUntil": "2029-05-31",
        **overrides,
    }


def alteration_input(enterprise: str, **overrides: Any) -> dict[str, Any]:
    return {
        "uscc": enterprise,
        "alteredOn": "2026-11-20",
        "basis": "SHPD-BG-2026-0311",
        "address": "上海市浦东新区层林路88号",
        "legalRepresentative": "李海燕",
        **overrides,
    }


def new_request_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


post = post_as


async def write(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    query: str,
    field: str,
    given: dict[str, Any],
    *,
    department: str = "emergency",
    request_id: str | None = None,
) -> dict[str, Any]:
    """A mutation that must succeed; returns its payload."""
    body = await post(
        http, keys, query, department=department, variables={"input": given}, request_id=request_id
    )
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"][field]
    assert payload["errors"] == [], payload
    return payload


TABLES = (
    "safety_grade",
    "standardization_certificate",
    "enterprise_alteration",
    "record_change",
)


async def counts(sessions: Sessions) -> dict[str, int]:
    found = {}
    async with sessions() as session:
        for table in TABLES:
            found[table] = int(
                await session.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608 - constants
                or 0
            )
    return found
