"""Recording a recognition of another department's result. The result is read through the
gate (``internal_reads``): one the recogniser may not see is answered exactly like one that
does not exist. Every input error names its field, and when there is one nothing is
written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.codes import validate_uscc
from liaison.db import models
from liaison.db.changes import note_change
from liaison.db.recognition import (
    MODELS,
    NewRecognition,
    record_recognition,
    result_column,
)
from liaison.db.recognition_models import Facilitation, Recognition, RecognitionStatus, ResultType
from liaison.permissions.principal import Role
from liaison.schema.context import Context
from liaison.schema.errors import forbidden
from liaison.schema.internal_reads import read_records
from liaison.schema.mutations import InputError, Problems
from liaison.schema.one_record import one_record
from liaison.schema.pagination import parse_record_id
from liaison.schema.types.recognition import Recognition as RecognitionType

Info = strawberry.Info[Context, None]

_WORDS = {
    ResultType.DANGEROUS_CHEMICAL_ENTRY: "dangerous chemical entry",
    ResultType.STANDARDIZATION_CERTIFICATE: "standardization certificate",
    ResultType.CREDIT_RATING: "credit rating",
}
# What a recognition must be able to see of the result it rests on: with any of these
# withheld (or masked, for the dates its validity is judged by) it cannot recognise it.
_REQUIRED: dict[ResultType, tuple[str, ...]] = {
    ResultType.DANGEROUS_CHEMICAL_ENTRY: ("chemical_name", "entry_date"),
    ResultType.STANDARDIZATION_CERTIFICATE: ("level", "issued_on", "valid_until"),
    ResultType.CREDIT_RATING: ("scheme", "rule_set", "grade", "effective_on"),
}
_DATES = frozenset({"entry_date", "issued_on", "valid_until", "effective_on", "expires_on"})
_OPTIONAL: dict[ResultType, tuple[str, ...]] = {ResultType.CREDIT_RATING: ("expires_on",)}
MAX_YEARS = 10
MAX_DAYS = 3653


@strawberry.input(description="Another department's result your department recognises.")
class RecordRecognitionInput:
    uscc: str
    result_type: ResultType
    result_id: strawberry.ID
    facilitation: Facilitation
    valid_from: dt.date
    valid_until: dt.date
    legal_basis: str


@strawberry.type
class RecognitionPayload:
    recognition: RecognitionType | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


async def _recogniser(context: Context, session: AsyncSession) -> int:
    if not context.principal.has(Role.CONTRIBUTOR):
        raise forbidden("Writing records needs the contributor role.", role="contributor")
    found: int | None = await session.scalar(
        select(models.Department.id).where(models.Department.code == context.principal.department)
    )
    if found is None:
        raise forbidden(f"Department {context.principal.department} is not known here.")
    return found


async def enterprise_of(session: AsyncSession, problems: Problems, uscc: str) -> int | None:
    code = problems.code("uscc", validate_uscc, uscc)
    if any(e.field == "uscc" for e in problems.errors):
        return None
    found: int | None = await session.scalar(
        select(models.Enterprise.id).where(models.Enterprise.uscc == code)
    )
    if found is None:
        problems.add("uscc", "exists", f"no enterprise is registered under {code}")
    return found


def _seen_whole(result: Any, kind: ResultType) -> bool:
    for name in _REQUIRED[kind]:
        value = getattr(result, name)
        if value is None or (name in _DATES and not isinstance(value, dt.date)):
            return False
    for name in _OPTIONAL.get(kind, ()):
        value = getattr(result, name)
        if value is not None and not isinstance(value, dt.date):
            return False
    return True


async def _result(
    context: Context, problems: Problems, kind: ResultType, given_id: strawberry.ID
) -> Any | None:
    """The result as the caller may see it, or None (with the one error that does not say
    whether it exists)."""
    key = parse_record_id(given_id)
    found: list[Any] = []
    if key is not None:
        fields = {"owner", *_REQUIRED[kind], *_OPTIONAL.get(kind, ())}
        found = await read_records(context, kind.value, fields, where=[MODELS[kind].id == key])
    if not found or not _seen_whole(found[0], kind):
        problems.add("resultId", "visible", f"no {_WORDS[kind]} you may see in full has this id")
        return None
    return found[0]


def _ended_on(result: Any, kind: ResultType) -> dt.date | None:
    if kind is ResultType.STANDARDIZATION_CERTIFICATE:
        ends: dt.date = result.valid_until
        return ends
    if kind is ResultType.CREDIT_RATING:
        expires: dt.date | None = result.expires_on
        return expires
    return None


def _check_result(
    problems: Problems,
    context: Context,
    result: Any,
    kind: ResultType,
    enterprise_id: int | None,
) -> None:
    word = _WORDS[kind]
    if result.owner == context.principal.department:
        problems.add("resultId", "not_own", f"this {word} is your own department's result")
    elif enterprise_id is not None and result.enterprise_id != enterprise_id:
        problems.add("resultId", "enterprise", f"this {word} concerns another enterprise")
    ends = _ended_on(result, kind)
    if ends is not None and ends < dt.date.today():
        problems.add("resultId", "ended", f"this {word} ended on {ends.isoformat()}")


def _check_validity(problems: Problems, given: RecordRecognitionInput) -> None:
    if given.valid_until < given.valid_from:
        problems.add("validUntil", "order", "validUntil must not be before validFrom")
    elif given.valid_until > given.valid_from + dt.timedelta(days=MAX_DAYS):
        problems.add("validUntil", "range", f"a recognition is valid for at most {MAX_YEARS} years")


async def _already_recognised(
    session: AsyncSession, owner: int, kind: ResultType, result_id: int, facilitation: str
) -> bool:
    found = await session.scalar(
        select(Recognition.id).where(
            Recognition.owner_department_id == owner,
            result_column(kind) == result_id,
            Recognition.facilitation == facilitation,
            Recognition.status == RecognitionStatus.ACTIVE.value,
        )
    )
    return found is not None


@strawberry.type
class RecognitionMutation:
    @strawberry.mutation(
        description="Recognise another department's supervision result for an enterprise "
        "(a dangerous-chemical identification, a standardization level, a credit grade), "
        "granting a facilitation for a period on a legal basis. The recognised department "
        "sees it; it lapses by itself when the result ends."
    )
    async def record_recognition(
        self, info: Info, input: RecordRecognitionInput
    ) -> RecognitionPayload:
        context = info.context
        problems = Problems()
        async with context.database() as session:
            owner = await _recogniser(context, session)
            enterprise_id = await enterprise_of(session, problems, input.uscc)
        kind = ResultType(input.result_type)
        result = await _result(context, problems, kind, input.result_id)
        if result is not None:
            _check_result(problems, context, result, kind, enterprise_id)
        _check_validity(problems, input)
        legal_basis = problems.text("legalBasis", input.legal_basis, max_length=1000)
        facilitation = Facilitation(input.facilitation).value
        async with context.database() as session, session.begin_nested():
            if result is not None and await _already_recognised(
                session, owner, kind, int(result.id), facilitation
            ):
                problems.add("resultId", "unique", "your department already recognises it for this")
            if problems.errors or enterprise_id is None or result is None:
                return RecognitionPayload(errors=problems.errors)
            recognition_id = await record_recognition(
                session,
                NewRecognition(
                    owner_id=owner,
                    recognised_id=context.access.directory.ids[result.owner],
                    enterprise_id=enterprise_id,
                    result_type=kind,
                    result_id=int(result.id),
                    facilitation=facilitation,
                    valid_from=input.valid_from,
                    valid_until=input.valid_until,
                    legal_basis=legal_basis,
                    recorded_on=dt.date.today(),
                ),
            )
            await note_change(session, "recognition", recognition_id)
        found: RecognitionType | None = await one_record(
            context, info.path, "recognition", recognition_id
        )
        return RecognitionPayload(recognition=found)
