"""Sending referrals, answering them, and entering public reports. Each side moves only
its own steps (the receiver accepts, returns and handles; the sender withdraws), each move
is checked against the state machine, every input error names its field, and when there
is one nothing is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.codes import validate_uscc
from liaison.db import models
from liaison.db.attachments import CheckedFile, DeclaredFile, check_file
from liaison.db.changes import note_change
from liaison.db.referral_models import ReferralStatus, ReferredType, ReportChannel
from liaison.db.referral_rules import MAX_ATTACHMENTS, MAX_FEEDBACK_DAYS, MAX_REFERRED_RECORDS
from liaison.db.referrals import (
    NewReferral,
    NewReport,
    Reference,
    check_references,
    department_id,
    enter_report,
    move,
    own_report,
    referral_of_side,
    send_referral,
    transition_problem,
)
from liaison.permissions.principal import Role
from liaison.schema.context import Context
from liaison.schema.errors import forbidden
from liaison.schema.mutations import InputError, Problems
from liaison.schema.one_record import one_record
from liaison.schema.pagination import parse_record_id
from liaison.schema.types.referrals import PublicReport, Referral

Info = strawberry.Info[Context, None]

strawberry.enum(ReferredType, name="ReferableRecordType")


@strawberry.input(
    description="A file of evidence: its content in standard base64 (no line breaks), with "
    "the size in bytes and the SHA-256 (hex) you computed, both checked against it."
)
class AttachmentInput:
    name: str
    media_type: str
    size_bytes: int
    sha256: str
    content_base64: str


@strawberry.input(description="A record of your department's the referral refers to.")
class ReferredRecordInput:
    record_type: ReferredType
    id: strawberry.ID


@strawberry.input
class SendReferralInput:
    receiver: str
    category: str
    description: str
    legal_basis: str
    feedback_within_days: int
    # The enterprise; may be left out when the report carried names it.
    uscc: str | None = None
    report_id: strawberry.ID | None = None
    attachments: list[AttachmentInput] = strawberry.field(default_factory=list)
    referred_records: list[ReferredRecordInput] = strawberry.field(default_factory=list)


@strawberry.input
class ReferralIdInput:
    id: strawberry.ID


@strawberry.input
class ReturnReferralInput:
    id: strawberry.ID
    reason: str


@strawberry.input
class HandleReferralInput:
    id: strawberry.ID
    feedback: str
    penalty_decision: str | None = None


@strawberry.input
class EnterPublicReportInput:
    channel: ReportChannel
    received_on: dt.date
    category: str
    content: str
    anonymous: bool = False
    reporter_name: str | None = None
    reporter_contact: str | None = None
    uscc: str | None = None


@strawberry.type
class ReferralPayload:
    referral: Referral | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


@strawberry.type
class PublicReportPayload:
    report: PublicReport | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


async def _contributor(context: Context, session: AsyncSession) -> int:
    """Any department's contributor sends referrals, answers those it receives and enters
    the reports it receives."""
    if not context.principal.has(Role.CONTRIBUTOR):
        raise forbidden("Writing records needs the contributor role.", role="contributor")
    found = await department_id(session, context.principal.department)
    if found is None:
        raise forbidden(f"Department {context.principal.department} is not known here.")
    return found


async def _enterprise(
    session: AsyncSession, problems: Problems, uscc: str, field: str = "uscc"
) -> int | None:
    code = problems.code(field, validate_uscc, uscc)
    if any(e.field == field for e in problems.errors):
        return None
    found: int | None = await session.scalar(
        select(models.Enterprise.id).where(models.Enterprise.uscc == code)
    )
    if found is None:
        problems.add(field, "exists", f"no enterprise is registered under {code}")
    return found


def _optional_text(
    problems: Problems, field: str, value: str | None, max_length: int
) -> str | None:
    if value is None or not value.strip():
        return None
    return problems.text(field, value, max_length=max_length)


def _files(problems: Problems, context: Context, given: list[AttachmentInput]) -> list[CheckedFile]:
    if len(given) > MAX_ATTACHMENTS:
        problems.add("attachments", "count", f"at most {MAX_ATTACHMENTS} attachments a referral")
        return []
    files = []
    for n, attachment in enumerate(given):
        file, found = check_file(
            DeclaredFile(
                attachment.name,
                attachment.media_type,
                attachment.size_bytes,
                attachment.sha256,
                attachment.content_base64,
            ),
            field=f"attachments[{n}]",
            max_bytes=context.attachments.max_bytes,
        )
        for field, rule, message in found:
            problems.add(field, rule, message)
        if file is not None:
            files.append(file)
    return files


def _references(problems: Problems, given: list[ReferredRecordInput]) -> list[Reference]:
    if len(given) > MAX_REFERRED_RECORDS:
        problems.add("referredRecords", "count", f"at most {MAX_REFERRED_RECORDS} referred records")
        return []
    return [
        Reference(item.record_type, parse_record_id(item.id), f"referredRecords[{n}].id")
        for n, item in enumerate(given)
    ]


async def _reload(info: Info, referral_id: int) -> Referral | None:
    """Written records go back through the gate like any other read."""
    found: Referral | None = await one_record(info.context, info.path, "referral", referral_id)
    return found


@strawberry.type
class ReferralMutation:
    @strawberry.mutation(
        description="Refer a clue to the department whose functions it concerns, with its "
        "evidence, the records of yours it rests on and the report it came from, if any: "
        "the receiver sees exactly that, whatever the agreements say."
    )
    async def send_referral(self, info: Info, input: SendReferralInput) -> ReferralPayload:
        context = info.context
        problems = Problems()
        async with context.database() as session, session.begin_nested():
            sender = await _contributor(context, session)
            report = None
            if input.report_id is not None:
                key = parse_record_id(input.report_id)
                report = None if key is None else await own_report(session, sender, key)
                if report is None:
                    problems.add("reportId", "exists", "no report of your department has this id")
            enterprise_id: int | None = None
            if input.uscc is not None:
                enterprise_id = await _enterprise(session, problems, input.uscc)
                if (
                    report is not None
                    and enterprise_id is not None
                    and report.enterprise_id not in (None, enterprise_id)
                ):
                    problems.add("uscc", "report", "the report concerns another enterprise")
            elif report is not None and report.enterprise_id is not None:
                enterprise_id = report.enterprise_id
            elif report is not None or input.report_id is None:
                problems.add("uscc", "required", "name the enterprise the clue concerns (USCC)")
            receiver = await department_id(session, input.receiver)
            if receiver is None:
                problems.add("receiver", "exists", "no such department code")
            elif receiver == sender:
                problems.add("receiver", "not_oneself", "a referral goes to another department")
            values = {
                "category": problems.text("category", input.category, max_length=64),
                "description": problems.text("description", input.description, max_length=4000),
                "legal_basis": problems.text("legalBasis", input.legal_basis, max_length=1000),
            }
            days = input.feedback_within_days
            if not 1 <= days <= MAX_FEEDBACK_DAYS:
                problems.add(
                    "feedbackWithinDays",
                    "range",
                    f"feedbackWithinDays must be from 1 to {MAX_FEEDBACK_DAYS}",
                )
            files = _files(problems, context, input.attachments)
            references = _references(problems, input.referred_records)
            if enterprise_id is not None:
                for field, rule, message in await check_references(
                    session, sender, enterprise_id, references
                ):
                    problems.add(field, rule, message)
            if problems.errors or enterprise_id is None or receiver is None:
                return ReferralPayload(errors=problems.errors)
            today = dt.date.today()
            referral_id, attachment_ids = await send_referral(
                session,
                context.attachments,
                NewReferral(
                    sender_id=sender,
                    receiver_id=receiver,
                    enterprise_id=enterprise_id,
                    report_id=None if report is None else report.id,
                    sent_on=today,
                    feedback_deadline=today + dt.timedelta(days=days),
                    **values,
                ),
                files,
                references,
            )
            await note_change(session, "referral", referral_id)
            for attachment_id in attachment_ids:
                await note_change(session, "referral_attachment", attachment_id)
        return ReferralPayload(referral=await _reload(info, referral_id))

    @strawberry.mutation(description="Accept a referral made to your department.")
    async def accept_referral(self, info: Info, input: ReferralIdInput) -> ReferralPayload:
        return await _move(info, input.id, ReferralStatus.ACCEPTED, lambda problems: {})

    @strawberry.mutation(
        description="Return a referral made to your department (it is not within your "
        "functions), with the reason. Its evidence is no longer shown to you."
    )
    async def return_referral(self, info: Info, input: ReturnReferralInput) -> ReferralPayload:
        def answer(problems: Problems) -> dict[str, str | None]:
            return {"return_reason": problems.text("reason", input.reason, max_length=4000)}

        return await _move(info, input.id, ReferralStatus.RETURNED, answer)

    @strawberry.mutation(
        description="Record what your department did about a referral it accepted: the "
        "feedback, and the penalty decision's reference if one was made."
    )
    async def handle_referral(self, info: Info, input: HandleReferralInput) -> ReferralPayload:
        def answer(problems: Problems) -> dict[str, str | None]:
            return {
                "feedback": problems.text("feedback", input.feedback, max_length=4000),
                "penalty_decision": _optional_text(
                    problems, "penaltyDecision", input.penalty_decision, 64
                ),
            }

        return await _move(info, input.id, ReferralStatus.HANDLED, answer)

    @strawberry.mutation(
        description="Withdraw a referral your department sent, while it is not yet "
        "accepted or returned. Its evidence is no longer shown to the receiver."
    )
    async def withdraw_referral(self, info: Info, input: ReferralIdInput) -> ReferralPayload:
        return await _move(info, input.id, ReferralStatus.WITHDRAWN, lambda problems: {})

    @strawberry.mutation(
        description="Enter a report from the public that your department received (by "
        "telephone, mailbox or online), and the enterprise it concerns if known."
    )
    async def enter_public_report(
        self, info: Info, input: EnterPublicReportInput
    ) -> PublicReportPayload:
        context = info.context
        problems = Problems()
        async with context.database() as session, session.begin_nested():
            owner = await _contributor(context, session)
            enterprise_id = None
            if input.uscc is not None:
                enterprise_id = await _enterprise(session, problems, input.uscc)
            name = _optional_text(problems, "reporterName", input.reporter_name, 100)
            contact = _optional_text(problems, "reporterContact", input.reporter_contact, 32)
            if input.anonymous and (name is not None or contact is not None):
                problems.add(
                    "anonymous",
                    "anonymous",
                    "an anonymous report keeps neither the reporter's name nor contact",
                )
            if contact is not None and not contact.replace("-", "").replace(" ", "").isdigit():
                problems.add("reporterContact", "phone", "reporterContact is a phone number")
            if input.received_on > dt.date.today():
                problems.add("receivedOn", "order", "receivedOn must not be in the future")
            category = problems.text("category", input.category, max_length=64)
            content = problems.text("content", input.content, max_length=4000)
            if problems.errors:
                return PublicReportPayload(errors=problems.errors)
            report_id = await enter_report(
                session,
                NewReport(
                    owner_id=owner,
                    enterprise_id=enterprise_id,
                    channel=input.channel.value,
                    received_on=input.received_on,
                    anonymous=input.anonymous,
                    reporter_name=name,
                    reporter_contact=contact,
                    category=category,
                    content=content,
                ),
            )
            await note_change(session, "public_report", report_id)
        report: PublicReport | None = await one_record(
            context, info.path, "public_report", report_id
        )
        return PublicReportPayload(report=report)


async def _move(
    info: Info,
    given_id: strawberry.ID,
    target: ReferralStatus,
    answer: Callable[[Problems], dict[str, str | None]],
) -> ReferralPayload:
    """One step of the state machine, by the side it belongs to."""
    context = info.context
    problems = Problems()
    async with context.database() as session, session.begin_nested():
        department = await _contributor(context, session)
        referral = await referral_of_side(session, department, parse_record_id(given_id), target)
        if referral is None:
            # Another department's referral is answered like a missing one.
            side = "made to" if target is not ReferralStatus.WITHDRAWN else "sent by"
            problems.add("id", "exists", f"no referral {side} your department has this id")
            return ReferralPayload(errors=problems.errors)
        values = answer(problems)
        out_of_order = transition_problem(referral, target)
        if out_of_order is not None:
            problems.add(*out_of_order)
        if problems.errors:
            return ReferralPayload(errors=problems.errors)
        move(referral, target, dt.date.today(), **values)
        await session.flush()
        referral_id = referral.id
        await note_change(session, "referral", referral_id)
    return ReferralPayload(referral=await _reload(info, referral_id))
