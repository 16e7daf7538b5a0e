"""The demo's mutual recognitions, as the memorandum provides: customs recognises the
emergency bureau's standardization level (one in force per enterprise certified, for about
one enterprise in twenty-five) and inspects them less often; the bureau recognises the AEO
grade customs gave (advanced_certified, latest of its scheme) with procedure simplification
or trust supervision. None has lapsed: the README's worked example lapses one by writing a
downgrading rating. The inspection rule table is seeded by migration 0018. Deterministic for
the seed and the demo's today."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from liaison.db import models
from liaison.db.recognition_models import Recognition

if TYPE_CHECKING:
    from liaison.db.demo.workflows import DemoContext

_SEED_OFFSET = 16
# The memorandum's term: recognitions end with it at the latest.
_MEMORANDUM_ENDS = dt.date(2028, 12, 31)
_MEMORANDUM_STARTS = dt.date(2026, 1, 1)
LEGAL_BASIS = "FTZ-MOU-2026-01 art. 4 (mutual recognition of supervision results)"
_RESULT_COLUMNS = (
    "dangerous_chemical_entry_id",
    "standardization_certificate_id",
    "credit_rating_id",
)
_AEO_FACILITATIONS = ("procedure_simplification", "trust_supervision")


async def _certificates(connection: AsyncConnection, today: dt.date) -> list[Any]:
    """The latest certificate in force of each enterprise certified."""
    cert = models.StandardizationCertificate
    rows = (
        await connection.execute(
            select(
                cert.id,
                cert.enterprise_id,
                cert.owner_department_id,
                cert.issued_on,
                cert.valid_until,
            )
            .where(cert.issued_on <= today, cert.valid_until >= today)
            .order_by(cert.enterprise_id, cert.issued_on, cert.id)
        )
    ).all()
    latest = {row.enterprise_id: row for row in rows}
    return [latest[key] for key in sorted(latest)]


async def _aeo_ratings(connection: AsyncConnection, today: dt.date) -> list[Any]:
    """Each enterprise's latest customs credit rating in effect, where it is AEO."""
    rating = models.CreditRating
    rows = (
        await connection.execute(
            select(
                rating.id,
                rating.enterprise_id,
                rating.owner_department_id,
                rating.grade,
                rating.effective_on,
                rating.expires_on,
            )
            .where(rating.scheme == "customs_enterprise_credit", rating.effective_on <= today)
            .order_by(rating.enterprise_id, rating.effective_on, rating.id)
        )
    ).all()
    latest = {row.enterprise_id: row for row in rows}
    return [
        latest[key]
        for key in sorted(latest)
        if latest[key].grade == "advanced_certified"
        and (latest[key].expires_on is None or latest[key].expires_on >= today)
    ]


def _row(
    owner: int, result: Any, column: str, facilitation: str, today: dt.date, ends: dt.date
) -> dict[str, Any]:
    return {
        "owner_department_id": owner,
        "enterprise_id": result.enterprise_id,
        "recognised_department_id": result.owner_department_id,
        "result_type": column.removesuffix("_id"),
        **dict.fromkeys(_RESULT_COLUMNS),
        column: result.id,
        "facilitation": facilitation,
        "valid_from": max(_MEMORANDUM_STARTS, today - dt.timedelta(days=60)),
        "valid_until": min(_MEMORANDUM_ENDS, ends),
        "legal_basis": LEGAL_BASIS,
        "recorded_on": today - dt.timedelta(days=30),
        "status": "active",
    }


async def add_recognitions(context: DemoContext) -> dict[str, int]:
    connection = context.connection
    draw = random.Random(context.seed * 1000 + _SEED_OFFSET)
    today = context.today
    departments = {
        code: number
        for code, number in await connection.execute(
            select(models.Department.code, models.Department.id)
        )
    }
    wanted = max(1, context.enterprises // 25)
    rows = []
    certificates = await _certificates(connection, today)
    for certificate in sorted(draw.sample(certificates, min(wanted, len(certificates)))):
        rows.append(
            _row(
                departments["customs"],
                certificate,
                "standardization_certificate_id",
                "reduced_inspection_frequency",
                today,
                certificate.valid_until,
            )
        )
    ratings = await _aeo_ratings(connection, today)
    for n, rating in enumerate(sorted(draw.sample(ratings, min(wanted, len(ratings))))):
        rows.append(
            _row(
                departments["emergency"],
                rating,
                "credit_rating_id",
                _AEO_FACILITATIONS[n % len(_AEO_FACILITATIONS)],
                today,
                rating.expires_on or _MEMORANDUM_ENDS,
            )
        )
    rows.sort(key=lambda r: (r["enterprise_id"], r["owner_department_id"]))
    if rows:
        await connection.execute(insert(Recognition), rows)
    return {"recognition": len(rows)}
