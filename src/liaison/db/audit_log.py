"""Reading the audit trail: the per-enterprise index, the access log (filters, keyset
pages, visibility) and export.

Every filter is answered from an ``(x, seq)`` index; a period is first turned into a
``seq`` range through ``ix_audit_event_occurred_at`` (seq order is time order, see
:mod:`liaison.db.audit_models`).

The index (``audit_enterprise``: enterprise, event, provider, record type) is derived data:
an append stores only the disclosed keys (``audit_disclosed``, chained), and
:func:`index_pending` expands the events after the watermark ``audit_index_head`` —
serialised by locking that row, as appends lock ``audit_head`` — into one row per
enterprise of each (provider, record type), looking the records' enterprises up in bulk.
The access log runs it first and answers up to the watermark it reached, so its enterprise
filter is complete; :func:`index_continuously` keeps it near the head in the background;
:func:`rebuild_index` rebuilds it from the chain, and :func:`verify_index` checks it
against the chain.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, replace
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    delete,
    false,
    func,
    insert,
    or_,
    select,
    text,
    true,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from liaison.db import models
from liaison.db.audit import BrokenLink, ChainedEvent, DisclosedKeys, load_events, utc
from liaison.db.audit_locate import locate_records
from liaison.db.audit_models import (
    AuditDisclosed,
    AuditDisclosure,
    AuditEnterprise,
    AuditEvent,
    AuditHead,
    AuditIndexHead,
    AuditRecord,
)
from liaison.db.tables import RECORD_TABLES

log = logging.getLogger("liaison.audit")

_EXPORT_BATCH = 500
_INDEX_BATCH = 500  # events expanded per round trip
_STEP_EVENTS = 20  # events the background indexer expands per transaction
_INSERT_BATCH = 2000
_HEAD = cast("Table", AuditHead.__table__)
_INDEX_HEAD = cast("Table", AuditIndexHead.__table__)
_EVENTS = cast("Table", AuditEvent.__table__)
_DISCLOSED = cast("Table", AuditDisclosed.__table__)
_RECORDS = cast("Table", AuditRecord.__table__)
_INDEX = cast("Table", AuditEnterprise.__table__)
_INDEX_COLUMNS = ("enterprise_uscc", "event_seq", "provider", "record_type")

IndexRow = tuple[str, int, str, str]  # enterprise USCC, event, provider, record type


# The index


async def index_pending(session: AsyncSession, *, most: int | None = None) -> int:
    """Expands every committed event after the watermark (at most ``most`` of them, when
    given) into ``audit_enterprise`` rows and moves the watermark; returns it (every event
    up to it is indexed).

    Nothing to do (the usual case with the background indexer running) costs two primary
    key reads and takes no lock. Otherwise the watermark row is locked (``UPDATE …
    RETURNING``): on PostgreSQL a concurrent indexer waits for this transaction, then reads
    the moved watermark and expands only what is left; on SQLite it takes the write lock.
    Committed events always form a prefix of the chain (an append holds ``audit_head``
    until it commits), so nothing is skipped. The caller commits. Rows beyond the watermark
    that the indexer did not write are :func:`verify_index`'s to find: looking for them on
    every step cost a read of the whole index, growing with the trail.
    """
    connection = await session.connection()
    watermark = await _scalar_int(connection, select(_INDEX_HEAD.c.indexed_seq))
    if watermark >= await _scalar_int(connection, select(_HEAD.c.seq)):
        return watermark
    watermark = await _scalar_int(
        connection,
        update(_INDEX_HEAD)
        .where(_INDEX_HEAD.c.id == 1)
        .values(indexed_seq=_INDEX_HEAD.c.indexed_seq)
        .returning(_INDEX_HEAD.c.indexed_seq),
    )
    start = watermark
    while most is None or watermark - start < most:
        batch = _INDEX_BATCH if most is None else min(_INDEX_BATCH, most - (watermark - start))
        seqs = list(
            await connection.scalars(
                select(_EVENTS.c.seq)
                .where(_EVENTS.c.seq > watermark)
                .order_by(_EVENTS.c.seq)
                .limit(batch)
            )
        )
        if not seqs:
            break
        if connection.dialect.name == "postgresql":
            await connection.execute(_EXPAND_POSTGRESQL, {"low": seqs[0], "high": seqs[-1]})
        else:
            rows = await index_rows(connection, seqs[0], seqs[-1])
            for begin in range(0, len(rows), _INSERT_BATCH):
                chunk = rows[begin : begin + _INSERT_BATCH]
                await connection.execute(
                    insert(_INDEX), [dict(zip(_INDEX_COLUMNS, row, strict=True)) for row in chunk]
                )
        watermark = seqs[-1]
    if watermark != start:
        await connection.execute(
            update(_INDEX_HEAD).where(_INDEX_HEAD.c.id == 1).values(indexed_seq=watermark)
        )
    return watermark


def _expand_postgresql() -> Any:
    """:func:`index_rows` done by PostgreSQL in one statement, rows never leaving the
    server: one branch per record type, each unnesting only that type's disclosed id lists
    and joining only its own table (one join in all, where a single branch joining every
    table probed each table for every id), one row per enterprise kept. An enterprise's
    own keys are distinct within a disclosure, so its branch needs no DISTINCT."""
    disclosed = (
        "FROM audit_disclosed d "
        "CROSS JOIN LATERAL unnest(CAST(string_to_array(d.record_ids, ',') AS BIGINT[])) "
        "AS k(id) "
    )
    branches = []
    for record_type, table in sorted(RECORD_TABLES.items()):
        where = f"WHERE d.event_seq BETWEEN :low AND :high AND d.record_type = '{record_type}'"
        if table.model is models.Enterprise:
            branches.append(
                "SELECT e.uscc, d.event_seq, d.provider, d.record_type "
                + disclosed
                + f"JOIN enterprise e ON e.id = k.id {where}"
            )
        elif table.enterprise is not None:  # a plan or campaign belongs to no enterprise
            branches.append(
                "SELECT DISTINCT e.uscc, d.event_seq, d.provider, d.record_type "
                + disclosed
                + f"JOIN {table.model.__tablename__} r ON r.id = k.id "
                f"JOIN enterprise e ON e.id = r.{table.enterprise.key} {where}"
            )
    return text(
        "INSERT INTO audit_enterprise (enterprise_uscc, event_seq, provider, record_type) "
        + " UNION ALL ".join(f"({branch})" for branch in branches)
    )


_EXPAND_POSTGRESQL = _expand_postgresql()


async def _scalar_int(connection: AsyncConnection, statement: Any) -> int:
    return int(await connection.scalar(statement) or 0)


async def _disclosed_between(
    connection: AsyncConnection, low: int, high: int
) -> dict[int, list[DisclosedKeys]]:
    found: dict[int, list[DisclosedKeys]] = defaultdict(list)
    rows = await connection.execute(
        select(
            _DISCLOSED.c.event_seq,
            _DISCLOSED.c.provider,
            _DISCLOSED.c.record_type,
            _DISCLOSED.c.record_ids,
        ).where(_DISCLOSED.c.event_seq.between(low, high))
    )
    for seq, provider, record_type, record_ids in rows:
        found[seq].append(DisclosedKeys(provider, record_type, record_ids))
    return found


async def index_rows(connection: AsyncConnection, low: int, high: int) -> list[IndexRow]:
    """The index rows of the compact events ``low``..``high``, derived from their chained
    keys: one per enterprise of each (provider, record type), sorted."""
    rows, _ = await _derived(connection, low, high)
    return rows


async def _derived(
    connection: AsyncConnection, low: int, high: int
) -> tuple[list[IndexRow], set[tuple[int, str, str]]]:
    """:func:`index_rows`, and the (event, provider, record type) some of whose records
    the record tables no longer hold (their enterprises cannot be derived again)."""
    disclosed = await _disclosed_between(connection, low, high)
    wanted: dict[str, set[int]] = defaultdict(set)
    for keys in (k for per_event in disclosed.values() for k in per_event):
        wanted[keys.record_type].update(keys.ids())
    places = {t: await locate_records(connection, t, ids) for t, ids in sorted(wanted.items())}
    rows: set[IndexRow] = set()
    gone: set[tuple[int, str, str]] = set()
    for seq, per_event in disclosed.items():
        for keys in per_event:
            located = places[keys.record_type]
            for record_id in keys.ids():
                if record_id not in located:
                    if _of_enterprise(keys.record_type):
                        gone.add((seq, keys.provider, keys.record_type))
                    continue
                uscc = located[record_id][1]
                if uscc is not None:  # a record of no enterprise is asked about by none
                    rows.add((uscc, seq, keys.provider, keys.record_type))
    return sorted(rows), gone


async def _index_before_asking(session: AsyncSession) -> int:
    """:func:`index_pending` for a question about to be asked in ``session``.

    On PostgreSQL in a transaction of its own, committed at once: the watermark's lock is
    then held for the indexing alone. In the request's transaction it was held to the
    request's end, and under load every other question, and the background indexer,
    queued behind each whole request (``bench/soak.py``). The question's statements, at
    read committed, see what was committed. On SQLite in the request's transaction: a
    connection of its own would be in another snapshot, and one process writes anyway."""
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        return await index_pending(session)
    async with AsyncSession(connection.engine) as own, own.begin():
        return await index_pending(own)


def _of_enterprise(record_type: str) -> bool:
    table = RECORD_TABLES.get(record_type)
    return table is not None and (table.model is models.Enterprise or table.enterprise is not None)


async def index_continuously(
    sessions: async_sessionmaker[AsyncSession], *, interval: float = 2.0
) -> None:
    """Keeps the index near the head, off the request path (run it as a task of the app's
    lifespan and cancel it at shutdown). A failure is logged and retried next round."""
    while True:
        try:
            # A backlog is worked off step after step, the lock released in between.
            previous = None
            while (watermark := await _index_step(sessions)) is not None:
                if watermark == previous:  # no progress: leave it to the next round
                    break
                previous = watermark
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("audit index: indexing failed; retrying in %.0f s", interval)
        await asyncio.sleep(interval)


async def _index_step(sessions: async_sessionmaker[AsyncSession]) -> int | None:
    """Indexes at most ``_STEP_EVENTS`` events in one transaction; the watermark reached,
    or None when that is the head. Small steps hold the watermark's lock (on SQLite, the
    database's write lock, which every audit append also needs) briefly at a time."""
    async with sessions() as session, session.begin():
        connection = await session.connection()
        watermark = await index_pending(session, most=_STEP_EVENTS)
        head = await _scalar_int(connection, select(_HEAD.c.seq))
    return None if watermark >= head else watermark


_LEGACY_ROWS = (
    select(
        _RECORDS.c.enterprise_uscc,
        _RECORDS.c.event_seq,
        _RECORDS.c.provider,
        _RECORDS.c.record_type,
    )
    .where(_RECORDS.c.enterprise_uscc.is_not(None))
    .distinct()
)


async def rebuild_index(session: AsyncSession) -> int:
    """Drops the derived index and builds it again from the chain (legacy events from
    their chained records, compact ones from their keys); returns the watermark. The
    index's guards (no DELETE, no INSERT behind the watermark, no move backwards) are
    lifted inside this transaction only, as a migration would; the caller commits."""
    connection = await session.connection()
    first_compact = await _scalar_int(connection, select(_HEAD.c.compact_from))
    postgresql = connection.dialect.name == "postgresql"
    guards = await _lift_guards(connection, postgresql)
    await connection.execute(delete(_INDEX))
    await connection.execute(insert(_INDEX).from_select(list(_INDEX_COLUMNS), _LEGACY_ROWS))
    await connection.execute(
        update(_INDEX_HEAD).where(_INDEX_HEAD.c.id == 1).values(indexed_seq=first_compact - 1)
    )
    await _restore_guards(connection, postgresql, guards)
    return await index_pending(session)


# (PostgreSQL trigger and table, SQLite trigger) of each guard a rebuild lifts.
_GUARDS = (
    ("audit_enterprise_append_only", "audit_enterprise", "audit_enterprise_no_delete"),
    ("audit_enterprise_indexed_only", "audit_enterprise", "audit_enterprise_indexed_only"),
    ("audit_index_head_forward_only", "audit_index_head", "audit_index_head_forward_only"),
)


async def _lift_guards(connection: AsyncConnection, postgresql: bool) -> list[str]:
    definitions: list[str] = []
    for pg_trigger, table, sqlite_trigger in _GUARDS:
        if postgresql:
            await connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {pg_trigger}"))
            continue
        definition = await connection.scalar(
            text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
            {"name": sqlite_trigger},
        )
        definitions.append(str(definition))
        await connection.execute(text(f"DROP TRIGGER {sqlite_trigger}"))
    return definitions


async def _restore_guards(
    connection: AsyncConnection, postgresql: bool, definitions: list[str]
) -> None:
    if postgresql:
        for pg_trigger, table, _ in _GUARDS:
            await connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {pg_trigger}"))
        return
    for definition in definitions:
        await connection.execute(text(definition))


@dataclass(slots=True)
class IndexCheck:
    """What :func:`verify_index` found: ``broken``, the first event whose index rows are
    not the enterprises its chained records belong to (or rows beyond the watermark);
    ``unverifiable``, index rows of records the record tables no longer hold, whose
    enterprise cannot be derived again (the first of them at ``first_unverifiable``)."""

    broken: BrokenLink | None = None
    unverifiable: int = 0
    first_unverifiable: int | None = None


async def verify_index(session: AsyncSession) -> IndexCheck:
    """Checks the derived index against the chain: legacy events against their chained
    records, compact events (up to the watermark) against the expansion of their keys.
    Verify the chain first: this trusts ``audit_disclosed`` and ``audit_record``."""
    connection = await session.connection()
    first_compact = await _scalar_int(connection, select(_HEAD.c.compact_from))
    watermark = await _scalar_int(connection, select(_INDEX_HEAD.c.indexed_seq))
    legacy = [tuple(row) for row in await connection.execute(_LEGACY_ROWS)]
    found = await _stored_rows(connection, 0, first_compact - 1)
    if sorted(found) != sorted(legacy):
        return IndexCheck(BrokenLink(_first_difference(found, legacy), _DIFFERS))
    check = IndexCheck()
    after = first_compact - 1
    while after < watermark:
        high = min(after + _INDEX_BATCH, watermark)
        expected, gone = await _derived(connection, after + 1, high)
        stored = set(await _stored_rows(connection, after + 1, high))
        # A row of a record that is gone cannot be derived again: not proof of an edit.
        extra = [row for row in stored - set(expected) if (row[1], row[2], row[3]) not in gone]
        differing = (set(expected) - stored) | set(extra)
        if differing:
            return IndexCheck(BrokenLink(min(row[1] for row in differing), _DIFFERS))
        underived = sorted(row[1] for row in stored - set(expected))
        check.unverifiable += len(underived)
        if underived and check.first_unverifiable is None:
            check.first_unverifiable = underived[0]
        after = high
    stray = await connection.scalar(
        select(func.min(_INDEX.c.event_seq)).where(_INDEX.c.event_seq > watermark)
    )
    if stray is not None:
        check.broken = BrokenLink(
            int(stray), "index rows beyond the watermark the indexer did not write"
        )
    return check


_DIFFERS = "the index's enterprises differ from those of the event's chained records"


async def _stored_rows(connection: AsyncConnection, low: int, high: int) -> list[IndexRow]:
    rows = await connection.execute(
        select(*(_INDEX.c[name] for name in _INDEX_COLUMNS))
        .where(_INDEX.c.event_seq.between(low, high))
        .order_by(*(_INDEX.c[name] for name in _INDEX_COLUMNS))
    )
    return sorted((str(u), int(s), str(p), str(t)) for u, s, p, t in rows)


def _first_difference(actual: Iterable[IndexRow], expected: Iterable[IndexRow]) -> int:
    """The first event whose rows differ (a row missing on either side counts)."""
    differing = set(actual) ^ set(expected)
    return min(row[1] for row in differing)


# The access log


@dataclass(frozen=True, slots=True)
class AccessLogFilter:
    provider: str | None = None
    consumer: str | None = None
    enterprise_uscc: str | None = None
    record_type: str | None = None
    field: str | None = None
    purpose: str | None = None
    case_reference: str | None = None
    outcome: str | None = None
    since: dt.datetime | None = None  # inclusive
    until: dt.datetime | None = None  # exclusive


@dataclass(frozen=True, slots=True)
class AccessLogPage:
    events: list[ChainedEvent]
    has_next_page: bool


async def seq_range(
    session: AsyncSession,
    since: dt.datetime | None,
    until: dt.datetime | None,
    *,
    upto: int | None = None,
) -> tuple[int, int] | None:
    """The seqs of events in [since, until) (and at most ``upto``), or None when none can
    be.

    Seq order is time order (an event is never earlier than the one before it, and
    ``liaison audit verify`` checks it), so each end is the first or last event inside the
    period in time order (the lowest or highest seq among those at that very time): one
    probe of the time index each, where ``min(seq) WHERE occurred_at >= since`` walked the
    primary key through every event before the period."""
    event = AuditEvent
    low, high = 1, None
    if since is not None:
        first = await session.scalar(
            select(event.seq)
            .where(event.occurred_at >= utc(since))
            .order_by(event.occurred_at, event.seq)
            .limit(1)
        )
        if first is None:
            return None
        low = first
    if until is not None:
        last = await session.scalar(
            select(event.seq)
            .where(event.occurred_at < utc(until))
            .order_by(event.occurred_at.desc(), event.seq.desc())
            .limit(1)
        )
        if last is None:
            return None
        high = last
    if high is None:
        high = await session.scalar(select(func.max(event.seq))) or 0
    if upto is not None:
        high = min(high, upto)
    return (low, high) if low <= high else None


def access_log_statement(
    wanted: AccessLogFilter,
    *,
    visible_to: str | None,
    seqs: tuple[int, int],
    before_seq: int | None,
    limit: int,
) -> Select[AuditEvent]:
    """Events matching ``wanted``, newest first, that ``visible_to`` (a department; None
    for the platform) may see.

    Security contract: a department sees the whole of its own department's operations, and
    of another department's operation only its own part (its disclosures and records, and
    the outcome they make). Every filter is matched against that visible part alone, in
    SQL: an event is returned only if its visible part matches, so no filter can tell an
    auditor which third department's data another department read, which fields, or how
    that part ended. What every part shares (when, who, the consuming department, purpose,
    case) is matched on the event itself."""
    event = AuditEvent
    where: list[ColumnElement[bool]] = [event.seq.between(*seqs)]
    if before_seq is not None:
        where.append(event.seq < before_seq)
    for column, value in (
        (event.principal_department, wanted.consumer),
        (event.purpose, wanted.purpose),
        (event.case_reference, wanted.case_reference),
    ):
        if value is not None:
            where.append(column == value)
    if visible_to is None:
        where.append(_whole_event_matches(wanted, seqs))
        return select(event).where(*where).order_by(event.seq.desc()).limit(limit)
    branches: list[ColumnElement[bool]] = []
    if wanted.consumer in (None, visible_to):
        own = event.principal_department == visible_to
        branches.append(and_(own, _whole_event_matches(wanted, seqs)))
    if wanted.consumer != visible_to and wanted.provider in (None, visible_to):
        others = event.principal_department != visible_to
        branches.append(and_(others, _provider_part_matches(wanted, visible_to, seqs)))
    if len(branches) < 2:
        where.append(or_(false(), *branches))
        return select(event).where(*where).order_by(event.seq.desc()).limit(limit)
    # Two disjoint branches (its own operations, others' operations it provided for), each
    # planned on its own indexes and cut to one page before they are merged: an OR of
    # their subqueries would make the planner scan.
    pages = [
        select(event.seq).where(*where, branch).order_by(event.seq.desc()).limit(limit).subquery()
        for branch in branches
    ]
    merged = union_all(*(select(page.c.seq) for page in pages)).subquery()
    return (
        select(event)
        .where(event.seq.in_(select(merged.c.seq)))
        .order_by(event.seq.desc())
        .limit(limit)
    )


def _whole_event_matches(wanted: AccessLogFilter, seqs: tuple[int, int]) -> ColumnElement[bool]:
    """The disclosure, record and outcome criteria, over every part of the event."""
    event = AuditEvent
    found: list[ColumnElement[bool]] = []
    if wanted.outcome is not None:
        found.append(event.outcome == wanted.outcome)
    disclosed = _disclosure_filter(wanted, wanted.provider)
    if disclosed:
        found.append(event.seq.in_(_disclosure_seqs(seqs, *disclosed)))
    if wanted.enterprise_uscc is not None:
        found.append(event.seq.in_(_record_seqs(wanted, wanted.provider, seqs)))
    return and_(true(), *found)


def _provider_part_matches(
    wanted: AccessLogFilter, provider: str, seqs: tuple[int, int]
) -> ColumnElement[bool]:
    """The event has a part of ``provider``'s (that is what makes it visible to it), and
    that part alone meets the disclosure, record and outcome criteria."""
    event = AuditEvent
    found: list[ColumnElement[bool]] = [
        event.seq.in_(_disclosure_seqs(seqs, *_disclosure_filter(wanted, provider)))
    ]
    if wanted.enterprise_uscc is not None:
        found.append(event.seq.in_(_record_seqs(wanted, provider, seqs)))
    if wanted.outcome is not None:
        found.append(_part_outcome_is(wanted.outcome, provider, seqs))
    return and_(*found)


def _part_outcome_is(outcome: str, provider: str, seqs: tuple[int, int]) -> ColumnElement[bool]:
    """SQL for :func:`part_outcome` of ``provider``'s part being ``outcome``."""
    event = AuditEvent
    if outcome == "error":
        return event.outcome == "error"
    own = AuditDisclosure.provider == provider
    refused = event.seq.in_(_disclosure_seqs(seqs, own, AuditDisclosure.level == "none"))
    given = event.seq.in_(_disclosure_seqs(seqs, own, AuditDisclosure.level != "none"))
    state = {"ok": ~refused, "denied": ~given, "partial": and_(refused, given)}.get(outcome)
    if state is None:
        return false()
    return and_(event.outcome != "error", state)


def part_outcome(event_outcome: str, levels: Iterable[str]) -> str:
    """How one provider's part of an operation ended, from the levels its fields were
    given: an operation that failed failed for every part; otherwise ``denied`` when none
    of the part's fields was given, ``partial`` when some were refused, else ``ok``."""
    if event_outcome == "error":
        return "error"
    given = [level != "none" for level in levels]
    if not any(given):
        return "denied"
    return "ok" if all(given) else "partial"


def _disclosure_filter(wanted: AccessLogFilter, provider: str | None) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if provider is not None:
        found.append(AuditDisclosure.provider == provider)
    if wanted.record_type is not None:
        found.append(AuditDisclosure.record_type == wanted.record_type)
    if wanted.field is not None:
        found.append(AuditDisclosure.field == wanted.field)
    return found


def _disclosure_seqs(seqs: tuple[int, int], *criteria: ColumnElement[bool]) -> Select[Any]:
    return select(AuditDisclosure.event_seq).where(
        *criteria, _within(seqs, AuditDisclosure.event_seq)
    )


def _record_seqs(wanted: AccessLogFilter, provider: str | None, seqs: tuple[int, int]) -> Any:
    index = AuditEnterprise
    records = [index.enterprise_uscc == wanted.enterprise_uscc]
    if provider is not None:
        records.append(index.provider == provider)
    if wanted.record_type is not None:
        records.append(index.record_type == wanted.record_type)
    return select(index.event_seq).where(*records, _within(seqs, index.event_seq))


def _within(seqs: tuple[int, int], column: Any) -> ColumnElement[bool]:
    # Repeated inside each subquery so its (x, event_seq) index is range-scanned.
    return column.between(*seqs)  # type: ignore[no-any-return]


async def access_log(
    session: AsyncSession,
    wanted: AccessLogFilter,
    *,
    visible_to: str | None,
    first: int,
    before_seq: int | None = None,
) -> AccessLogPage:
    """One page of events, newest first. Security contract: for a department auditor
    (``visible_to`` set), an event it reaches only as a provider is returned with the
    disclosures and records of that provider alone — what another department read from a
    third is not its business.

    The index is brought up to date first and the answer covers the events up to its
    watermark, so the enterprise filter is complete. The caller commits (the indexer may
    have written)."""
    indexed = await _index_before_asking(session)
    seqs = await seq_range(session, wanted.since, wanted.until, upto=indexed)
    if seqs is None or first == 0:
        return AccessLogPage(events=[], has_next_page=False)
    rows = list(
        await session.scalars(
            access_log_statement(
                wanted, visible_to=visible_to, seqs=seqs, before_seq=before_seq, limit=first + 1
            )
        )
    )
    events = await load_events(session, rows[:first])
    if visible_to is not None:
        events = [_as_seen_by(e, visible_to) for e in events]
    return AccessLogPage(events=events, has_next_page=len(rows) > first)


def _as_seen_by(event: ChainedEvent, department: str) -> ChainedEvent:
    """Another department's operation as ``department`` may see it: its own part only,
    with the outcome of that part."""
    if event.entry.principal_department == department:
        return event
    disclosures = tuple(d for d in event.entry.disclosures if d.provider == department)
    entry = replace(
        event.entry,
        outcome=part_outcome(event.entry.outcome, (d.level for d in disclosures)),
        disclosures=disclosures,
        disclosed=tuple(d for d in event.entry.disclosed if d.provider == department),
        records=tuple(r for r in event.entry.records if r.provider == department),
    )
    return replace(event, entry=entry)


async def export_events(
    session: AsyncSession, since: dt.datetime | None, until: dt.datetime | None
) -> AsyncIterator[dict[str, Any]]:
    """Events of [since, until) in chain order, each in its export form (the canonical
    body and its hash: the chained keys, so the index is not needed)."""
    seqs = await seq_range(session, since, until)
    if seqs is None:
        return
    after, last = seqs[0] - 1, seqs[1]
    while after < last:
        batch = list(
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.seq > after, AuditEvent.seq <= last)
                .order_by(AuditEvent.seq)
                .limit(_EXPORT_BATCH)
            )
        )
        if not batch:
            return
        for event in await load_events(session, batch, index=False):
            yield event.as_json()
        after = batch[-1].seq
        session.expunge_all()
