"""Demo referrals and public reports: one clue referral for about every twenty enterprises,
between the departments whose functions they concern, in every status (some overdue), most
with a file of evidence (kept in the database) and a record of the sender's; and the
reports the safety hotlines received, about half of them referred on. Deterministic for the
seed and ``today``; ids come from the database, in insertion order."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from liaison.db import models
from liaison.db.referral_models import (
    AttachmentBlob,
    PublicReport,
    Referral,
    ReferralAttachment,
    ReferredRecord,
)

if TYPE_CHECKING:  # db.demo.workflows lists this module's demo
    from liaison.db.demo.workflows import DemoContext

_SEED_OFFSET = 10  # this workflow's own stream of draws


@dataclass(frozen=True)
class Clue:
    sender: str
    receiver: str
    category: str
    description: str
    legal_basis: str
    referred: str | None  # the kind of the sender's record it refers to, if any


CLUES: tuple[Clue, ...] = (
    Clue(
        "market",
        "emergency",
        "unlicensed storage",
        "Spot check: drums of flammable solvents kept in a warehouse without a storage licence",
        "Regulations on the Safe Management of Dangerous Chemicals art. 6, art. 24",
        "credit_rating",
    ),
    Clue(
        "market",
        "ecology",
        "waste discharge",
        "Spot check: waste solvent drained to the storm sewer behind the filling line",
        "Environmental Protection Law art. 10; Water Pollution Prevention Law art. 39",
        "lifecycle_event",
    ),
    Clue(
        "emergency",
        "market",
        "business scope",
        "Inspection: hazardous chemicals sold outside the registered business scope",
        "Regulations on the Administration of Market Entities art. 3",
        "risk",
    ),
    Clue(
        "customs",
        "emergency",
        "storage location",
        "Declared storage location differs from where the imported goods were found",
        "Customs Law art. 86; Regulations on the Safe Management of Dangerous Chemicals art. 6",
        "credit_rating",
    ),
    Clue(
        "ecology",
        "emergency",
        "hazardous waste",
        "EMS certificate audit: hazardous waste stored beside the reactor hall",
        "Solid Waste Pollution Prevention Law art. 81",
        None,
    ),
    Clue(
        "park",
        "market",
        "unlicensed operation",
        "Park patrol: a trading office operating on site without a business licence",
        "Regulations on the Administration of Market Entities art. 43",
        "lifecycle_event",
    ),
)
# In turn, so a small demo has every status: 3 in 10 sent, 2 accepted, 3 handled, 1
# returned, 1 withdrawn.
_STATUSES = (
    "sent",
    "handled",
    "accepted",
    "returned",
    "sent",
    "handled",
    "withdrawn",
    "accepted",
    "sent",
    "handled",
)
_FEEDBACK = (
    "On-site inspection; the goods were moved to a licensed store and the enterprise fined",
    "Inspected; ordered to rectify within 15 days; rectification accepted",
    "Inspected; no violation found at the time of the visit",
)
_RETURN_REASONS = (
    "Not within our functions: the registry handles business-scope violations",
    "The enterprise is outside our jurisdiction",
)
# Hotlines: who receives reports, by which channel.
_HOTLINES = (
    ("park", "telephone", "emergency"),
    ("market", "telephone", "emergency"),
    ("ecology", "online", "emergency"),
    ("emergency", "mailbox", "market"),
)
_REPORTS = (
    ("night unloading", "Tankers unload drums behind the plant after midnight"),
    ("smell", "A strong chemical smell near the east gate every evening"),
    ("illegal trade", "Solvents sold from a van without labels at the park gate"),
    ("fire exit", "Fire exits of the warehouse are locked during the night shift"),
)


def _evidence(number: int, clue: Clue, uscc: str, day: dt.date) -> bytes:
    return (
        f"Evidence {number:04d} of {clue.sender}, {day.isoformat()}, enterprise {uscc}:\n"
        f"{clue.description}.\n"
    ).encode()


async def add_referrals(context: DemoContext) -> dict[str, int]:
    connection = context.connection
    draw = random.Random(context.seed * 1000 + _SEED_OFFSET)
    departments = {
        code: number
        for code, number in await connection.execute(
            select(models.Department.code, models.Department.id)
        )
    }
    enterprises = [
        (number, uscc)
        for number, uscc in await connection.execute(
            select(models.Enterprise.id, models.Enterprise.uscc).order_by(models.Enterprise.id)
        )
    ]
    if not enterprises:
        return {"public_reports": 0, "referrals": 0, "referral_attachments": 0}
    today = context.today
    reports = await _reports(connection, draw, departments, enterprises, today)
    referrals = attachments = 0
    blobs: set[str] = set()
    plans: list[tuple[Clue, int, str, int | None]] = []
    for n in range(max(1, len(enterprises) // 20)):
        enterprise, uscc = draw.choice(enterprises)
        plans.append((CLUES[n % len(CLUES)], enterprise, uscc, None))
    for report, owner, about, receiver in reports[::2]:
        if about is None:
            continue
        clue = Clue(
            owner,
            receiver,
            "public report",
            "A report from the safety hotline, referred as received",
            "Work Safety Law art. 74",
            None,
        )
        plans.append((clue, about, next(u for e, u in enterprises if e == about), report))
    for number, (clue, enterprise, uscc, report_id) in enumerate(plans, start=1):
        referral_id = await _referral(
            connection, number, draw, departments, clue, enterprise, report_id, today
        )
        referrals += 1
        if draw.random() < 0.7:
            content = _evidence(number, clue, uscc, today)
            digest = hashlib.sha256(content).hexdigest()
            if digest not in blobs:
                await _insert(
                    connection,
                    AttachmentBlob,
                    {"sha256": digest, "size_bytes": len(content), "content": content},
                )
                blobs.add(digest)
            await _insert(
                connection,
                ReferralAttachment,
                {
                    "owner_department_id": departments[clue.sender],
                    "referral_id": referral_id,
                    "enterprise_id": enterprise,
                    "name": f"evidence-{number:04d}.txt",
                    "media_type": "text/plain",
                    "size_bytes": len(content),
                    "sha256": digest,
                    "stored_in": "database",
                },
            )
            attachments += 1
        if clue.referred is not None:
            await _refer(connection, referral_id, clue, departments[clue.sender], enterprise)
    return {
        "public_reports": len(reports),
        "referrals": referrals,
        "referral_attachments": attachments,
    }


async def _reports(
    connection: AsyncConnection,
    draw: random.Random,
    departments: dict[str, int],
    enterprises: list[tuple[int, str]],
    today: dt.date,
) -> list[tuple[int, str, int | None, str]]:
    """The hotlines' reports: (id, owner, enterprise or None, who it would go to)."""
    made = []
    for n in range(max(1, len(enterprises) // 30)):
        owner, channel, receiver = _HOTLINES[n % len(_HOTLINES)]
        category, content = _REPORTS[(n // len(_HOTLINES) + n) % len(_REPORTS)]
        anonymous = draw.random() < 0.3
        known = draw.random() < 0.8
        enterprise = draw.choice(enterprises)[0] if known else None
        report_id = await _insert(
            connection,
            PublicReport,
            {
                "owner_department_id": departments[owner],
                "enterprise_id": enterprise,
                "channel": channel,
                "received_on": today - dt.timedelta(days=draw.randint(1, 90)),
                "anonymous": anonymous,
                "reporter_name": None if anonymous else draw.choice(("张先生", "李女士", "王先生")),
                "reporter_contact": None if anonymous else f"139{draw.randint(0, 99999999):08d}",
                "category": category,
                "content": content,
            },
        )
        made.append((report_id, owner, enterprise, receiver))
    return made


async def _referral(
    connection: AsyncConnection,
    number: int,
    draw: random.Random,
    departments: dict[str, int],
    clue: Clue,
    enterprise: int,
    report_id: int | None,
    today: dt.date,
) -> int:
    sent_on = today - dt.timedelta(days=draw.randint(3, 120))
    deadline = sent_on + dt.timedelta(days=draw.choice((15, 30, 60)))
    status = _STATUSES[number % len(_STATUSES)]
    answered = min(today, sent_on + dt.timedelta(days=draw.randint(1, 7)))
    done = min(today, answered + dt.timedelta(days=draw.randint(5, 40)))
    values: dict[str, Any] = {
        "owner_department_id": departments[clue.sender],
        "receiver_department_id": departments[clue.receiver],
        "enterprise_id": enterprise,
        "report_id": report_id,
        "category": clue.category,
        "description": clue.description,
        "legal_basis": clue.legal_basis,
        "sent_on": sent_on,
        "feedback_deadline": deadline,
        "status": status,
    }
    if status in {"accepted", "handled"}:
        values["accepted_on"] = answered
    if status == "handled":
        values.update(
            handled_on=done,
            feedback=draw.choice(_FEEDBACK),
            penalty_decision=f"沪{clue.receiver[:2].upper()}罚〔2026〕{draw.randint(1, 999):03d}号",
        )
    if status == "returned":
        values.update(returned_on=answered, return_reason=draw.choice(_RETURN_REASONS))
    if status == "withdrawn":
        values["withdrawn_on"] = answered
    return int(await _insert(connection, Referral, values))


_REFERABLE: dict[str, Any] = {
    "risk": models.Risk,
    "lifecycle_event": models.LifecycleEvent,
    "credit_rating": models.CreditRating,
}


async def _refer(
    connection: AsyncConnection, referral_id: int, clue: Clue, sender: int, enterprise: int
) -> None:
    """The sender's newest record of that kind for the enterprise, if it holds one."""
    assert clue.referred is not None
    model = _REFERABLE[clue.referred]
    record = await connection.scalar(
        select(model.id)
        .where(model.owner_department_id == sender, model.enterprise_id == enterprise)
        .order_by(model.id.desc())
        .limit(1)
    )
    if record is not None:
        await _insert(
            connection,
            ReferredRecord,
            {"referral_id": referral_id, "record_type": clue.referred, "record_id": record},
        )


async def _insert(connection: AsyncConnection, model: Any, values: dict[str, Any]) -> Any:
    table: Table = model.__table__
    key = next(iter(table.primary_key.columns))
    return await connection.scalar(insert(table).values(values).returning(key))
