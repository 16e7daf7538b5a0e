"""Referrals, their evidence and public reports: who may see each field, at a glance.

An attachment's content is one more governed field (``referral_attachment.content``): the
gate decides it like any other, and only then is the content read from where it is kept.
There is no other way to a file."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import Select, select

from liaison.db.attachments import UnreadableAttachment
from liaison.db.referral_models import ReferralStatus, ReferredRecord, ReportChannel
from liaison.schema.errors import error
from liaison.schema.reach import reached
from liaison.schema.scalars import Day
from liaison.schema.shared import shared
from liaison.schema.types.records import CreditRating, LifecycleEvent, Risk

if TYPE_CHECKING:
    from liaison.schema.types.enterprise import Enterprise

EnterpriseRef = Annotated["Enterprise", strawberry.lazy("liaison.schema.types.enterprise")]
ATTACHMENT_UNREADABLE = "ATTACHMENT_UNREADABLE"

# strawberry.enum annotates the classes in place; the schema uses them under these names.
strawberry.enum(
    ReferralStatus,
    name="ReferralStatus",
    description="SENT -> ACCEPTED -> HANDLED by the receiver, or RETURNED by it (with a "
    "reason); WITHDRAWN by the sender while SENT.",
)
strawberry.enum(ReportChannel, name="ReportChannel")


async def _enterprise(root: Any, info: strawberry.Info) -> EnterpriseRef | None:
    if root.enterprise_id is None:  # a public report of no known enterprise
        return None
    enterprise: Enterprise = await info.context.loaders.enterprise.load(root.enterprise_id)
    reached(info.context, info.path, "enterprise", [enterprise])
    return enterprise


async def _one(record_type: str, key: int | None, info: strawberry.Info) -> Any | None:
    if key is None:
        return None
    found: list[Any] = await info.context.loaders.children(record_type, "id").load(key)
    reached(info.context, info.path, record_type, found)
    return found[0] if found else None


def _referred_pairs(record_type: str) -> Any:
    def pairs(referral_ids: Sequence[int]) -> Select[int, int]:
        return select(ReferredRecord.referral_id, ReferredRecord.record_id).where(
            ReferredRecord.referral_id.in_(referral_ids),
            ReferredRecord.record_type == record_type,
        )

    return pairs


def _referred(record_type: str) -> Any:
    pairs = _referred_pairs(record_type)

    async def resolve(root: Referral, info: strawberry.Info) -> list[Any]:
        loader = info.context.loaders.linked(record_type, "referred_record", pairs)
        records: list[Any] = await loader.load(int(root.id))
        reached(info.context, info.path, record_type, records)
        return records

    return resolve


async def _attachments(root: Referral, info: strawberry.Info) -> list[ReferralAttachment]:
    loader = info.context.loaders.children("referral_attachment", "referral")
    records: list[ReferralAttachment] = await loader.load(int(root.id))
    reached(info.context, info.path, "referral_attachment", records)
    return records


async def _report(root: Referral, info: strawberry.Info) -> PublicReport | None:
    found: PublicReport | None = await _one("public_report", root.report_id, info)
    return found


@strawberry.type(
    description="A clue one department (the owner) referred to the department whose "
    "functions it concerns (the receiver), and the receiver's answer. The receiver sees it "
    "whole; while it is in hand (not returned or withdrawn), also its attachments, the "
    "report it carries and the referred records."
)
class Referral:
    enterprise_id: strawberry.Private[int]
    report_id: strawberry.Private[int | None]
    id: strawberry.ID = shared("referral.id")
    owner: str = shared("referral.owner", "Code of the sending department.")
    enterprise: EnterpriseRef = shared("referral.enterprise", resolver=_enterprise)
    receiver: str | None = shared("referral.receiver", "Code of the receiving department.")
    category: str | None = shared("referral.category", "What kind of clue it is.")
    description: str | None = shared("referral.description")
    legal_basis: str | None = shared(
        "referral.legal_basis", "The provisions under which it is referred."
    )
    sent_on: Day | None = shared("referral.sent_on")
    feedback_deadline: Day | None = shared(
        "referral.feedback_deadline", "When the receiver's feedback is due."
    )
    status: ReferralStatus | None = shared("referral.status")
    overdue: bool | None = shared(
        "referral.overdue", "Past its feedback deadline and neither handled nor closed."
    )
    accepted_on: Day | None = shared("referral.accepted_on")
    returned_on: Day | None = shared("referral.returned_on")
    return_reason: str | None = shared("referral.return_reason", "Why the receiver returned it.")
    handled_on: Day | None = shared("referral.handled_on")
    feedback: str | None = shared("referral.feedback", "What the receiver did.")
    penalty_decision: str | None = shared(
        "referral.penalty_decision", "Reference of the penalty decision, if one was made."
    )
    withdrawn_on: Day | None = shared("referral.withdrawn_on")
    report: PublicReport | None = shared(
        "referral.report", "The public report it carries, if any.", resolver=_report
    )
    attachments: list[ReferralAttachment] = shared(
        "referral.attachments", "The evidence sent with it.", resolver=_attachments
    )
    referred_risks: list[Risk] = shared(
        "referral.referred_risks",
        "The sender's risks it refers to.",
        resolver=_referred("risk"),
    )
    referred_lifecycle_events: list[LifecycleEvent] = shared(
        "referral.referred_lifecycle_events",
        "The sender's ledger entries it refers to.",
        resolver=_referred("lifecycle_event"),
    )
    referred_credit_ratings: list[CreditRating] = shared(
        "referral.referred_credit_ratings",
        "The sender's credit ratings it refers to.",
        resolver=_referred("credit_rating"),
    )


async def _content(root: ReferralAttachment, info: strawberry.Info) -> str | None:
    # The gate has decided: ``content`` holds where the file is kept if the caller may
    # see it, and None if it is withheld (the FORBIDDEN error is the gate's).
    key = root.content
    if key is None:
        return None
    context = info.context

    async def load(keys: list[str]) -> list[bytes | UnreadableAttachment]:
        async with context.database() as session:
            found: list[bytes | UnreadableAttachment] = await context.attachments.read(
                session, keys
            )
        return found

    try:
        content: bytes = await context.loaders.keyed("attachment_content", load).load(key)
    except UnreadableAttachment as exc:
        raise error(ATTACHMENT_UNREADABLE, f"Attachment {root.id}: {exc}.") from None
    return base64.b64encode(content).decode("ascii")


async def _referral(root: ReferralAttachment, info: strawberry.Info) -> Referral | None:
    found: Referral | None = await _one("referral", root.referral_id, info)
    return found


@strawberry.type(description="A file of evidence sent with a referral.")
class ReferralAttachment:
    enterprise_id: strawberry.Private[int]
    referral_id: strawberry.Private[int]
    content: strawberry.Private[str | None]
    id: strawberry.ID = shared("referral_attachment.id")
    owner: str = shared("referral_attachment.owner", "Code of the sending department.")
    enterprise: EnterpriseRef = shared("referral_attachment.enterprise", resolver=_enterprise)
    referral: Referral | None = shared("referral_attachment.referral", resolver=_referral)
    name: str | None = shared("referral_attachment.name", "The file's name.")
    media_type: str | None = shared("referral_attachment.media_type", "e.g. image/jpeg.")
    size_bytes: int | None = shared("referral_attachment.size_bytes")
    sha256: str | None = shared("referral_attachment.sha256", "SHA-256 of the content, in hex.")
    content_base64: str | None = shared(
        "referral_attachment.content",
        "The file itself, base64-encoded (checked against its SHA-256 as it is read).",
        resolver=_content,
    )


async def _referrals(root: PublicReport, info: strawberry.Info) -> list[Referral]:
    records: list[Referral] = await info.context.loaders.children("referral", "report").load(
        int(root.id)
    )
    reached(info.context, info.path, "referral", records)
    return records


@strawberry.type(
    description="A report from the public, entered by the department that received it "
    "(the owner). The receiver of a referral that carries it sees it whole while the "
    "referral is in hand."
)
class PublicReport:
    enterprise_id: strawberry.Private[int | None]
    id: strawberry.ID = shared("public_report.id")
    owner: str = shared("public_report.owner", "Code of the department that received it.")
    enterprise: EnterpriseRef | None = shared(
        "public_report.enterprise", "The enterprise it concerns, if known.", resolver=_enterprise
    )
    channel: ReportChannel | None = shared("public_report.channel")
    received_on: Day | None = shared("public_report.received_on")
    anonymous: bool | None = shared("public_report.anonymous", "No name or contact was left.")
    reporter_name: str | None = shared("public_report.reporter_name")
    reporter_contact: str | None = shared("public_report.reporter_contact", "A phone number.")
    category: str | None = shared("public_report.category")
    content: str | None = shared("public_report.content", "What was reported.")
    referrals: list[Referral] = shared(
        "public_report.referrals", "The referrals that carry it.", resolver=_referrals
    )
