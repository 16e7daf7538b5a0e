"""Factories: a small, fully known world of departments, enterprises and records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.api.keys import SigningKeys
from liaison.api.tokens import mint_access_token
from liaison.db import models
from liaison.db.agreements import store_agreement
from liaison.permissions.policy_file import parse_agreement

DEPARTMENTS = {
    "customs": "customs",
    "emergency": "emergency_management",
    "market": "market_supervision",
    "park": "park_committee",
    "ecology": "ecology_environment",
}
# Valid USCCs (GB 32100-2015 check characters).
USCC_CHEMICAL = "91310115MA1K4ABC05"
USCC_PAINTS = "91310115MA1K4ABD2C"
USCC_WAREHOUSE = "91310115MA1K4ABE4K"

# emergency's risks, two fields in full, shared with customs for joint inspection.
RISKS_TO_CUSTOMS = {
    "provider": "emergency",
    "consumers": ["customs"],
    "record_type": "risk",
    "purposes": ["joint_inspection"],
    "fields": {"category": "full", "level": "full"},
}


@dataclass
class World:
    departments: dict[str, int]
    enterprises: dict[str, int]  # uscc -> id


async def build_world(session: AsyncSession) -> World:
    departments = {}
    for code, kind in DEPARTMENTS.items():
        department = models.Department(code=code, name=f"{code} department", kind=kind)
        session.add(department)
        await session.flush()
        departments[code] = department.id
    enterprises = {}
    for uscc, name, zone, industry in (
        (USCC_CHEMICAL, "临港化工有限公司", "Lingang Chemical Park", "basic chemicals"),
        (USCC_PAINTS, "浦东涂料有限公司", "Lingang Chemical Park", "coatings and dyes"),
        (USCC_WAREHOUSE, "外高桥危化仓储有限公司", "Waigaoqiao Bonded Zone", "warehousing"),
    ):
        enterprise = models.Enterprise(
            uscc=uscc,
            name=name,
            zone=zone,
            industry=industry,
            address="上海市浦东新区海港大道1500号",
            legal_representative="王建国",
            contact_phone="13812345678",
            registered_on=dt.date(2015, 3, 2),
            status="in_operation",
            status_since=dt.date(2017, 6, 1),
            owner_department_id=departments["market"],
        )
        session.add(enterprise)
        await session.flush()
        enterprises[uscc] = enterprise.id
        session.add_all(
            [
                models.LifecycleEvent(
                    enterprise_id=enterprise.id,
                    owner_department_id=departments["market"],
                    kind=kind,
                    effective_on=day,
                    pilot_production_ends_on=ends,
                    document_number=f"SHPD-{enterprise.id:04d}-{n}",
                )
                for n, (kind, day, ends) in enumerate(
                    [
                        ("registered", dt.date(2015, 3, 2), None),
                        ("under_construction", dt.date(2015, 9, 1), None),
                        ("pilot_production", dt.date(2016, 12, 1), dt.date(2017, 5, 31)),
                        ("in_operation", dt.date(2017, 6, 1), None),
                    ]
                )
            ]
        )
        session.add(
            models.DangerousChemicalEntry(
                enterprise_id=enterprise.id,
                owner_department_id=departments["customs"],
                declaration_number=f"2201202600000{enterprise.id:05d}",
                chemical_name="Benzene",
                cas_number="71-43-2",
                un_number="UN1114",
                hazard_class="3",
                packing_group="II",
                quantity=Decimal("12500.000"),
                unit="kg",
                port="Yangshan",
                entry_date=dt.date(2026, 3, 14),
                storage_location="上海市浦东新区临港危化品仓库3号",
                declared_value=Decimal("186000.00"),
                consignee=name,
            )
        )
        session.add(
            models.CreditRating(
                enterprise_id=enterprise.id,
                owner_department_id=departments["customs"],
                scheme="customs_enterprise_credit",
                rule_set="customs-2026",
                grade="certified",
                effective_on=dt.date(2026, 2, 1),
            )
        )
        session.add(
            models.Risk(
                enterprise_id=enterprise.id,
                owner_department_id=departments["emergency"],
                category="storage",
                description="Incompatible chemicals stored together in warehouse 3",
                level="major",
                found_on=dt.date(2026, 5, 10),
                rectification_deadline=dt.date(2026, 6, 10),
                status="rectifying",
                supervising_department_id=departments["emergency"],
            )
        )
    await session.flush()
    return World(departments=departments, enterprises=enterprises)


async def close_app(app: Any) -> None:
    """What the app's lifespan lets go of, for an app served without one (httpx's
    ASGITransport runs no lifespan): its pool and, on PostgreSQL, its audit writer's own
    connection."""
    if app.state.audit_writer is not None:
        await app.state.audit_writer.close()
    await app.state.engine.dispose()


def token(
    keys: SigningKeys,
    department: str,
    *roles: str,
    lifetime: int = 600,
    issued_at: int | None = None,
) -> str:
    """A real access token of the test issuer (``issued_at``: Unix time, default now)."""
    from conftest import TEST_AUDIENCE, TEST_ISSUER

    return mint_access_token(
        keys,
        issuer=TEST_ISSUER,
        audience=TEST_AUDIENCE,
        subject=f"{department}-tester",
        department=department,
        roles=roles or ("reader",),
        client_id="tests",
        lifetime_seconds=lifetime,
        now=issued_at,
    )


async def graphql(
    http: httpx.AsyncClient,
    query: str,
    *,
    bearer: str | None,
    variables: dict[str, Any] | None = None,
    purpose: str | None = None,
) -> tuple[int, dict[str, Any]]:
    headers = {}
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    if purpose is not None:
        headers["Liaison-Purpose"] = purpose
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    return response.status_code, response.json()


async def post_as(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    query: str,
    *,
    department: str,
    roles: tuple[str, ...] = ("contributor",),
    variables: dict[str, Any] | None = None,
    purpose: str | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """One GraphQL request as a department's principal with a real token: its body, once
    the status is checked (200, or 503 when the answer was held back whole for want of its
    audit event, see README)."""
    headers = {"Authorization": f"Bearer {token(keys, department, *roles)}"}
    if purpose is not None:
        headers["Liaison-Purpose"] = purpose
    if request_id is not None:
        headers["X-Request-ID"] = request_id
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    body: dict[str, Any] = response.json()
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
    assert response.status_code == (503 if codes == ["AUDIT_UNAVAILABLE"] else 200), response.text
    return body


async def grant(
    session: AsyncSession,
    *grants: dict[str, Any],
    code: str = "test-agreement",
    valid_until: str = "2099-01-01T00:00:00Z",
    status: str = "active",
) -> None:
    """Stores an active agreement among all five departments holding ``grants``."""
    spec = parse_agreement(
        {
            "agreement": code,
            "title": "test agreement",
            "legal_basis": "tests",
            "purposes": ["joint_inspection", "information_exchange", "emergency_response"],
            "valid_from": "2020-01-01T00:00:00Z",
            "valid_until": valid_until,
            "parties": list(DEPARTMENTS),
            "grants": list(grants),
        }
    )
    await store_agreement(
        session, spec, status=status, created_by="tests", signed_at=dt.datetime.now(dt.UTC)
    )
