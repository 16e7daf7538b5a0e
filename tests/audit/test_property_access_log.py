"""Property: whatever the trail, whoever asks and whatever they filter on, ``accessLog``
returns exactly the events a plain reading of its rules returns, each as the asker may see
it. Random events (consumers, disclosures of several providers at random levels, records of
the world, purposes, cases, outcomes) × random auditors and admins × random filters.

The rules, as documented (README, Audit → Querying) and stated here without any code from
``liaison.db.audit_log``:

- an admin sees every event whole; an auditor sees the events of its own department's
  operations whole, and of another department's operation only its own part — its
  disclosures and its records — if it has one, with the outcome of that part: ``error``
  if the operation failed, else ``denied`` when none of the part's fields was given,
  ``partial`` when some were refused, ``ok`` otherwise;
- every filter is matched against what the asker sees: ``consumer``, ``purpose`` and
  ``caseReference`` on the event; ``outcome`` on the part's outcome; ``provider``,
  ``recordType`` and ``field`` together on one visible disclosure; ``enterpriseUscc`` (with
  ``provider`` and ``recordType`` when given) on one visible record.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from audit_support import ask
from hypothesis import HealthCheck, Phase, event, example, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.keys import SigningKeys
from liaison.db.audit import (
    AuditEntry,
    DisclosedKeys,
    Disclosure,
    reserve_slot,
    utc,
    write_event,
)
from liaison.db.audit_models import AuditEvent
from world import DEPARTMENTS, World, token

Sessions = async_sessionmaker[AsyncSession]

CODES = sorted(DEPARTMENTS)
# (provider, record type, fields) as the world holds them: each type's owner.
SHARED = {
    ("customs", "dangerous_chemical_entry"): ("cas_number", "quantity", "declared_value"),
    ("customs", "credit_rating"): ("grade", "score"),
    ("emergency", "risk"): ("category", "level", "description"),
    ("market", "enterprise"): ("zone", "address"),
    ("market", "lifecycle_event"): ("kind", "effective_on"),
}
PARTS = sorted(SHARED)
LEVELS = ["full", "full", "masked", "none"]
PURPOSES = [None, "joint_inspection", "emergency_response"]
OUTCOME_FILTERS = ["OK", "PARTIAL", "DENIED", "ERROR"]

ACCESS_LOG = """
query($filter: AccessLogFilter, $after: String) {
  accessLog(filter: $filter, first: 1000, after: $after) {
    edges { node {
      requestId outcome
      disclosures { provider recordType field level recordCount }
      records { provider recordType recordId enterpriseUscc }
    } }
    pageInfo { hasNextPage endCursor }
  }
}"""


@dataclass(frozen=True)
class Record:
    record_type: str
    record_id: int
    uscc: str


@dataclass(frozen=True)
class Drawn:
    """One event as generated: who read, and per part of whose data, which fields at which
    level and which records."""

    consumer: str
    purpose: str | None
    case: int | None  # which of the example's two case references
    failed: bool
    parts: tuple[tuple[tuple[str, str], tuple[tuple[str, str], ...], tuple[int, ...]], ...]
    refused_filter: bool  # a refusal no single provider decided (provider '*')


@dataclass(frozen=True)
class Asked:
    auditor: str | None  # None: a platform admin
    asker_department: str
    criteria: dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    events: tuple[Drawn, ...]
    questions: tuple[Asked, ...]


@st.composite
def drawn_events(draw: st.DrawFn) -> Drawn:
    parts = draw(st.lists(st.sampled_from(PARTS), min_size=0, max_size=3, unique=True))
    chosen = []
    for part in sorted(parts):
        fields = draw(st.lists(st.sampled_from(SHARED[part]), min_size=1, unique=True))
        levels = tuple((name, draw(st.sampled_from(LEVELS))) for name in sorted(fields))
        # Indices into the world's records of that type, resolved when written.
        picks = tuple(sorted(set(draw(st.lists(st.integers(0, 11), min_size=1, max_size=2)))))
        chosen.append((part, levels, picks))
    return Drawn(
        consumer=draw(st.sampled_from(CODES)),
        purpose=draw(st.sampled_from(PURPOSES)),
        case=draw(st.sampled_from([None, 0, 1])),
        failed=draw(st.sampled_from([False] * 5 + [True])),
        parts=tuple(chosen),
        refused_filter=draw(st.sampled_from([False] * 5 + [True])),
    )


CRITERIA: dict[str, list[Any]] = {
    "provider": [*CODES, "*"],
    "consumer": CODES,
    "recordType": sorted({t for _, t in PARTS}),
    "field": sorted({f for fields in SHARED.values() for f in fields}),
    "enterpriseUscc": [0, 1, 2],  # which of the world's enterprises
    "purpose": [p for p in PURPOSES if p],
    "caseReference": [0, 1],  # which of the example's two cases
    "outcome": OUTCOME_FILTERS,
}


@st.composite
def questions(draw: st.DrawFn, providers: list[str]) -> Asked:
    # Mostly departments that provided something: their parts are what must not widen.
    auditor = draw(st.sampled_from([*providers, *providers, *CODES, None]))
    # A few criteria at a time, so that answers are seldom empty.
    names = draw(st.lists(st.sampled_from(sorted(CRITERIA)), max_size=3, unique=True))
    criteria = {name: draw(st.sampled_from(CRITERIA[name])) for name in names}
    asker = auditor or draw(st.sampled_from(CODES))
    return Asked(auditor=auditor, asker_department=asker, criteria=criteria)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    events = tuple(draw(st.lists(drawn_events(), min_size=2, max_size=7)))
    providers = sorted({provider for e in events for (provider, _), _, _ in e.parts})
    return Scenario(
        events=events,
        questions=tuple(draw(st.lists(questions(providers), min_size=6, max_size=10))),
    )


# --- the world's records, read with plain SQL -------------------------------------------------


async def world_records(sessions: Sessions) -> dict[str, list[Record]]:
    found: dict[str, list[Record]] = {}
    async with sessions() as session:
        for record_type in sorted({t for _, t in PARTS}):
            if record_type == "enterprise":
                sql = "SELECT id, uscc FROM enterprise ORDER BY id"
            else:
                sql = (
                    f"SELECT r.id, e.uscc FROM {record_type} r "  # noqa: S608
                    "JOIN enterprise e ON e.id = r.enterprise_id ORDER BY r.id"
                )
            rows = (await session.execute(text(sql))).all()
            found[record_type] = [Record(record_type, int(i), str(u)) for i, u in rows]
    return found


# --- writing the drawn events ----------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    request_id: str
    consumer: str
    purpose: str | None
    case: str | None
    outcome: str
    disclosures: tuple[tuple[str, str, str, str, int], ...]
    records: tuple[tuple[str, str, str, str], ...]  # provider, type, id, uscc


def entry_of(
    drawn: Drawn, request_id: str, case: str | None, records: dict[str, list[Record]]
) -> tuple[AuditEntry, Written]:
    disclosures: list[Disclosure] = []
    disclosed: list[DisclosedKeys] = []
    shown: list[tuple[str, str, str, str]] = []
    for (provider, record_type), levels, picks in drawn.parts:
        pool = records[record_type]
        chosen = sorted({pool[i % len(pool)].record_id for i in picks})
        for name, level in levels:
            disclosures.append(
                Disclosure(provider, record_type, name, level, len(chosen), f"drawn {level}")
            )
        if any(level != "none" for _, level in levels):
            disclosed.append(DisclosedKeys.of(provider, record_type, chosen))
            by_id = {r.record_id: r for r in pool}
            shown += [(provider, record_type, str(i), by_id[i].uscc) for i in chosen]
    if drawn.refused_filter:
        disclosures.append(Disclosure("*", "risk", "description", "none", 0, "filter refused"))
    levels_given = [d.level for d in disclosures]
    if drawn.failed:
        outcome = "error"
    elif "none" not in levels_given:
        outcome = "ok"
    elif any(level != "none" for level in levels_given):
        outcome = "partial"
    else:
        outcome = "denied"
    entry = AuditEntry(
        request_id=request_id,
        principal_subject=f"{drawn.consumer}-tester",
        principal_department=drawn.consumer,
        principal_client="tests",
        operation_type="query",
        operation_name=None,
        document_sha256="0" * 64,
        variables_sha256="0" * 64,
        purpose=drawn.purpose,
        case_reference=case,
        outcome=outcome,
        disclosures=tuple(disclosures),
        disclosed=tuple(disclosed),
    )
    written = Written(
        request_id=request_id,
        consumer=drawn.consumer,
        purpose=drawn.purpose,
        case=case,
        outcome=outcome,
        disclosures=tuple(
            (d.provider, d.record_type, d.field, d.level, d.record_count) for d in disclosures
        ),
        records=tuple(sorted(shown)),
    )
    return entry, written


async def write_all(
    sessions: Sessions, scenario: Scenario, records: dict[str, list[Record]], cases: list[str]
) -> tuple[list[Written], dt.datetime]:
    """Appends the example's events after every earlier one (strictly later in time, so a
    ``from`` filter at the first holds exactly these)."""
    label = uuid.uuid4().hex[:8]
    written = []
    first_at: dt.datetime | None = None
    for n, drawn in enumerate(scenario.events):
        case = None if drawn.case is None else cases[drawn.case]
        entry, shown = entry_of(drawn, f"prop-{label}-{n}", case, records)
        async with sessions() as session, session.begin():
            slot = await reserve_slot(session)
            now = max(dt.datetime.now(dt.UTC), slot.not_before + dt.timedelta(milliseconds=1))
            seq = await write_event(session, slot, entry, now=now)
        if first_at is None:
            async with sessions() as session:
                stored = await session.scalar(
                    select(AuditEvent.occurred_at).where(AuditEvent.seq == seq)
                )
            assert stored is not None
            first_at = utc(stored)
        written.append(shown)
    assert first_at is not None
    return written, first_at


# --- the oracle -------------------------------------------------------------------------------


def seen_by(event: Written, auditor: str | None) -> Written | None:
    if auditor is None or event.consumer == auditor:
        return event
    disclosures = tuple(d for d in event.disclosures if d[0] == auditor)
    if not disclosures:
        return None
    if event.outcome == "error":
        outcome = "error"
    elif all(d[3] == "none" for d in disclosures):
        outcome = "denied"
    elif any(d[3] == "none" for d in disclosures):
        outcome = "partial"
    else:
        outcome = "ok"
    return Written(
        request_id=event.request_id,
        consumer=event.consumer,
        purpose=event.purpose,
        case=event.case,
        outcome=outcome,
        disclosures=disclosures,
        records=tuple(r for r in event.records if r[0] == auditor),
    )


def matches(seen: Written, criteria: dict[str, Any]) -> bool:
    if "consumer" in criteria and seen.consumer != criteria["consumer"]:
        return False
    if "purpose" in criteria and seen.purpose != criteria["purpose"]:
        return False
    if "caseReference" in criteria and seen.case != criteria["caseReference"]:
        return False
    if "outcome" in criteria and seen.outcome != criteria["outcome"].lower():
        return False
    on_disclosure = {k: criteria[k] for k in ("provider", "recordType", "field") if k in criteria}
    if on_disclosure and not any(
        on_disclosure.get("provider", d[0]) == d[0]
        and on_disclosure.get("recordType", d[1]) == d[1]
        and on_disclosure.get("field", d[2]) == d[2]
        for d in seen.disclosures
    ):
        return False
    if "enterpriseUscc" in criteria:
        return any(
            r[3] == criteria["enterpriseUscc"]
            and criteria.get("provider", r[0]) == r[0]
            and criteria.get("recordType", r[1]) == r[1]
            for r in seen.records
        )
    return True


def expected_answer(
    written: list[Written], auditor: str | None, criteria: dict[str, Any]
) -> list[dict[str, Any]]:
    answer = []
    for one in reversed(written):  # newest first
        seen = seen_by(one, auditor)
        if seen is not None and matches(seen, criteria):
            answer.append(shape(seen))
    return answer


def shape(seen: Written) -> dict[str, Any]:
    return {
        "requestId": seen.request_id,
        "outcome": seen.outcome.upper(),
        "disclosures": sorted(list(d) for d in seen.disclosures),
        "records": sorted(list(r) for r in seen.records),
    }


def shape_returned(node: dict[str, Any]) -> dict[str, Any]:
    return {
        "requestId": node["requestId"],
        "outcome": node["outcome"],
        "disclosures": sorted(
            [d["provider"], d["recordType"], d["field"], d["level"], d["recordCount"]]
            for d in node["disclosures"]
        ),
        "records": sorted(
            [r["provider"], r["recordType"], r["recordId"], r["enterpriseUscc"]]
            for r in node["records"]
        ),
    }


# Deterministic and bounded, like the visibility property: no shrinking against a real
# database; the notes print a failing scenario in full.
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture
async def records(world: World, sessions: Sessions) -> dict[str, list[Record]]:
    return await world_records(sessions)


# Emergency reads customs' entries (the declared value refused) and market's zones in one
# request; then a request that fails, with a refused filter. What market's auditor may
# learn of it is market's part alone: the case first.
_THIRD_PARTY = Scenario(
    events=(
        Drawn(
            consumer="emergency",
            purpose="joint_inspection",
            case=0,
            failed=False,
            parts=(
                (
                    ("customs", "dangerous_chemical_entry"),
                    (("cas_number", "full"), ("declared_value", "none")),
                    (0,),
                ),
                (("market", "enterprise"), (("zone", "full"),), (1,)),
            ),
            refused_filter=False,
        ),
        Drawn(
            consumer="emergency",
            purpose="emergency_response",
            case=1,
            failed=True,
            parts=((("market", "enterprise"), (("zone", "full"),), (0,)),),
            refused_filter=True,
        ),
    ),
    questions=tuple(
        Asked(auditor, asker, criteria)
        for auditor, asker, criteria in (
            ("market", "market", {"consumer": "emergency", "provider": "customs"}),
            ("market", "market", {}),
            ("market", "market", {"enterpriseUscc": 0}),
            ("market", "market", {"enterpriseUscc": 1}),
            ("market", "market", {"field": "declared_value"}),
            ("market", "market", {"recordType": "dangerous_chemical_entry"}),
            ("market", "market", {"outcome": "PARTIAL"}),
            ("market", "market", {"outcome": "OK"}),
            ("market", "market", {"outcome": "ERROR"}),
            ("market", "market", {"provider": "*"}),
            ("market", "market", {"purpose": "joint_inspection", "caseReference": 0}),
            ("customs", "customs", {"enterpriseUscc": 1}),
            ("customs", "customs", {"outcome": "PARTIAL"}),
            ("emergency", "emergency", {"provider": "*"}),
            (None, "park", {"provider": "*", "outcome": "ERROR"}),
        )
    ),
)


@PROPERTY
@example(scenario=_THIRD_PARTY)
@given(scenario=scenarios())
async def test_the_access_log_answers_exactly_what_its_visibility_rules_say(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    sessions: Sessions,
    records: dict[str, list[Record]],
    scenario: Scenario,
) -> None:
    usccs = sorted({r.uscc for r in records["enterprise"]})
    cases = [f"PROP-{uuid.uuid4().hex[:8]}-{n}" for n in range(2)]
    written, first_at = await write_all(sessions, scenario, records, cases)
    note("events " + json.dumps([vars(w) for w in written], ensure_ascii=False, default=str))

    for question in scenario.questions:
        criteria = dict(question.criteria)
        if "enterpriseUscc" in criteria:
            criteria["enterpriseUscc"] = usccs[criteria["enterpriseUscc"] % len(usccs)]
        if "caseReference" in criteria:
            criteria["caseReference"] = cases[criteria["caseReference"]]
        role = "auditor" if question.auditor is not None else "admin"
        bearer = token(keys, question.asker_department, role)
        variables = {"filter": {**criteria, "from": first_at.isoformat()}}
        _, body, _ = await ask(http, ACCESS_LOG, bearer=bearer, variables=variables)
        note(f"{role} of {question.asker_department} asked {criteria}: {body}")

        assert "errors" not in body
        returned = [shape_returned(e["node"]) for e in body["data"]["accessLog"]["edges"]]
        expected = expected_answer(written, question.auditor, criteria)
        event(f"events returned: {min(len(expected), 2)}")
        assert returned == expected
