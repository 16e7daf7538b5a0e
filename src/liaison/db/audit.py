"""The audit chain: canonical serialisation, SHA-256 chaining, one serialised append, and
the walk that verifies it.

Canonical form of an event: the JSON object of :func:`canonical_body` — every column of
the event except ``hash``, with its disclosures as an array in ordinal order and the records
it disclosed as ``disclosed``: one object per (provider, record type), in that order, whose
``record_ids`` is the stored text (ids ascending, unique, comma-separated) — with keys
sorted, no insignificant whitespace, non-ASCII characters unescaped, encoded as UTF-8 (what
``json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` writes).
Times are UTC, ``YYYY-MM-DDTHH:MM:SS.ffffffZ``. ``hash = sha256(canonical form).hexdigest()``;
the body's ``prev_hash`` is the previous event's ``hash`` (64 zeros for the first), so
changing any stored value of any event breaks the chain at that event or at the next one.

Events before ``audit_head.compact_from`` (appended before migration 0004) were chained in
the legacy form: ``records`` — one object per record with its enterprise id and USCC — in
place of ``disclosed``. They verify as they were written.

The request path writes the event, its disclosures and its ``audit_disclosed`` rows only;
the per-enterprise index (``audit_enterprise``) is derived later (:mod:`liaison.db.audit_log`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any, cast

import orjson
from sqlalchemy import BigInteger, Column, Table, TextClause, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from liaison.db.audit_locate import locate_records
from liaison.db.audit_models import (
    GENESIS_HASH,
    AuditDisclosed,
    AuditDisclosure,
    AuditEvent,
    AuditHead,
    AuditRecord,
)

OUTCOMES = ("ok", "partial", "denied", "error")
_VERIFY_BATCH = 500
_INSERT_BATCH = 2000
_HEAD = cast("Table", AuditHead.__table__)
_EVENTS = cast("Table", AuditEvent.__table__)
_DISCLOSURES = cast("Table", AuditDisclosure.__table__)
_DISCLOSED = cast("Table", AuditDisclosed.__table__)


@dataclass(frozen=True, slots=True)
class Disclosure:
    """One (provider, record type, field) of an operation. ``level`` ``none`` is a denial
    and ``reason`` says why; otherwise the agreement (if any) that gave the level."""

    provider: str
    record_type: str
    field: str
    level: str
    record_count: int
    reason: str
    agreement_id: int | None = None
    agreement_code: str | None = None
    agreement_version: int | None = None


@dataclass(frozen=True, slots=True)
class DisclosedKeys:
    """The records of one provider and record type an operation disclosed (or wrote):
    ``record_ids`` is their ids ascending, unique, comma-separated — exactly the stored and
    hashed text. Build it with :meth:`of`."""

    provider: str
    record_type: str
    record_ids: str

    @classmethod
    def of(cls, provider: str, record_type: str, keys: Iterable[Any]) -> DisclosedKeys:
        return cls(provider, record_type, ",".join(map(str, sorted({int(k) for k in keys}))))

    def ids(self) -> list[int]:
        return [int(n) for n in self.record_ids.split(",")] if self.record_ids else []


@dataclass(frozen=True, slots=True)
class DisclosedRecord:
    """One disclosed record with the enterprise it belongs to: a row of the index (and,
    for events before ``compact_from``, of the chained legacy form)."""

    provider: str
    record_type: str
    record_id: int
    enterprise_id: int | None
    enterprise_uscc: str | None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """What the application states about one operation; the chain adds seq, time and hashes."""

    request_id: str
    principal_subject: str
    principal_department: str
    principal_client: str
    operation_type: str
    operation_name: str | None
    document_sha256: str
    variables_sha256: str
    purpose: str | None
    case_reference: str | None
    outcome: str
    disclosures: tuple[Disclosure, ...] = ()
    # Chained: the records disclosed, by (provider, record type).
    disclosed: tuple[DisclosedKeys, ...] = ()
    # Not written by an append. Read back: the index's rows of the event (record and
    # enterprise); for a legacy event (before compact_from) its chained records.
    records: tuple[DisclosedRecord, ...] = ()


_ENTRY_COLUMNS = tuple(
    f.name for f in fields(AuditEntry) if f.name not in ("disclosures", "disclosed", "records")
)


@dataclass(frozen=True, slots=True)
class ChainedEvent:
    seq: int
    occurred_at: dt.datetime
    prev_hash: str
    hash: str
    entry: AuditEntry
    legacy: bool = False  # chained in the pre-0004 form (records, not disclosed)

    def as_json(self) -> dict[str, Any]:
        """The export form: the canonical body plus its hash, so an archive can be
        re-verified without the database."""
        return {
            **canonical_body(
                self.seq, self.occurred_at, self.prev_hash, self.entry, legacy=self.legacy
            ),
            "hash": self.hash,
        }


@dataclass(frozen=True, slots=True)
class BrokenLink:
    seq: int
    reason: str


@dataclass(slots=True)
class _Walk:
    checked: int = 0
    prev_hash: str = GENESIS_HASH
    prev_at: dt.datetime | None = None
    broken: BrokenLink | None = None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive UTC, PostgreSQL aware times: one form for hashing."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _timestamp(moment: dt.datetime) -> str:
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_body(
    seq: int,
    occurred_at: dt.datetime,
    prev_hash: str,
    entry: AuditEntry,
    *,
    legacy: bool = False,
) -> dict[str, Any]:
    body = _entry_columns(entry)
    body["disclosures"] = [_as_row(d) for d in entry.disclosures]
    if legacy:
        body["records"] = [_as_row(r) for r in entry.records]
    else:
        body["disclosed"] = [_as_row(d) for d in _in_order(entry.disclosed)]
    body.update(seq=seq, occurred_at=_timestamp(occurred_at), prev_hash=prev_hash)
    return body


def event_hash(
    seq: int,
    occurred_at: dt.datetime,
    prev_hash: str,
    entry: AuditEntry,
    *,
    legacy: bool = False,
) -> str:
    body = canonical_body(seq, occurred_at, prev_hash, entry, legacy=legacy)
    return sha256_hex(canonical_json(body))


def _in_order(disclosed: Iterable[DisclosedKeys]) -> list[DisclosedKeys]:
    # Sorted here, never by the database: its collation need not be code-point order.
    return sorted(disclosed, key=lambda d: (d.provider, d.record_type))


@dataclass(frozen=True, slots=True)
class Slot:
    """A place in the chain, held (locked) by the transaction that reserved it."""

    seq: int
    prev_hash: str
    not_before: dt.datetime


# pg_advisory_xact_lock's key for the writers' lock: "liaison" and "writes" in ASCII.
_WRITES_LOCK = (0x6C696169, 0x77726974)


async def hold_writes(session: AsyncSession) -> None:
    """Serialises the session's transaction, to its commit, with every other that holds
    this: mutations and the lapse job. What they write is then in commit order
    (``record_change.seq``, incident references), and no two interleave.

    On PostgreSQL a transaction-scoped advisory lock, apart from the chain's head: a
    mutation then locks the head only when its event is written, so the events of queries
    appended meanwhile wait for a mutation's commit, not for its whole run. On SQLite the
    database's write lock (a write that changes nothing), which also opens the transaction
    so that a mutation's savepoints nest inside it and nothing commits before the edge.
    """
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await connection.execute(
            text("SELECT pg_advisory_xact_lock(:high, :low)"),
            {"high": _WRITES_LOCK[0], "low": _WRITES_LOCK[1]},
        )
        return
    await connection.execute(update(_HEAD).where(_HEAD.c.id == 1).values(seq=_HEAD.c.seq))


async def reserve_slot(session: AsyncSession) -> Slot:
    """Moves the head: the first statement of an append, and the one that serialises it.

    On PostgreSQL the UPDATE takes the head's row lock, held to commit (a concurrent
    append waits, then reads the moved head); on SQLite it opens the transaction and takes
    the database write lock. Writers that must also be serialised with one another take
    :func:`hold_writes` first.
    """
    return await _reserve(session, 1)


async def _reserve(session: AsyncSession, count: int) -> Slot:
    """The first of ``count`` consecutive places, the head moved past them all in one
    statement; each later place follows the event written into the one before it."""
    connection = await session.connection()
    moved = (
        await connection.execute(
            update(_HEAD)
            .where(_HEAD.c.id == 1)
            .values(seq=_HEAD.c.seq + count)
            .returning(_HEAD.c.seq, _HEAD.c.last_hash, _HEAD.c.last_at)
        )
    ).one()
    return Slot(int(moved.seq) - count + 1, str(moved.last_hash), utc(moved.last_at))


async def write_event(
    session: AsyncSession, slot: Slot, entry: AuditEntry, *, now: dt.datetime | None = None
) -> int:
    """Writes ``entry`` into a reserved slot and moves the head's hash onto it."""
    await _write(session, [_Chained.of(slot, entry, now)])
    return slot.seq


async def append_events(
    session: AsyncSession, entries: Sequence[AuditEntry], *, now: dt.datetime | None = None
) -> list[int]:
    """Appends ``entries``, in order, in the session's transaction: one reservation and one
    write for them all (a group commit: the head is locked once for the lot). Returns their
    seqs. Same contract as :func:`append_event`."""
    if not entries:
        return []
    slot = await _reserve(session, len(entries))
    chained: list[_Chained] = []
    for entry in entries:
        chained.append(_Chained.of(slot, entry, now))
        slot = Slot(slot.seq + 1, chained[-1].digest, chained[-1].occurred_at)
    await _write(session, chained)
    return [int(c.event["seq"]) for c in chained]


@dataclass(frozen=True, slots=True)
class _Chained:
    """An event hashed into its place: the rows to write are the rows hashed."""

    event: dict[str, Any]
    body: dict[str, Any]
    digest: str
    occurred_at: dt.datetime

    @classmethod
    def of(cls, slot: Slot, entry: AuditEntry, now: dt.datetime | None) -> _Chained:
        if entry.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {entry.outcome!r}")
        # Never earlier than the previous event, so seq order is time order (audit_models).
        occurred_at = max(utc(now or dt.datetime.now(dt.UTC)), slot.not_before)
        body = canonical_body(slot.seq, occurred_at, slot.prev_hash, entry)
        digest = sha256_hex(canonical_json(body))
        event = _entry_columns(entry)
        event.update(seq=slot.seq, occurred_at=occurred_at, prev_hash=slot.prev_hash, hash=digest)
        return cls(event, body, digest, occurred_at)


async def _write(session: AsyncSession, chained: list[_Chained]) -> None:
    """Writes hashed events in seq order and leaves the head's hash on the last. Core
    statements on the session's connection: nothing is read back."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        # One statement per event, sent together (asyncpg pipelines an executemany).
        await connection.execute(
            _WRITE_POSTGRESQL, [_postgresql_parameters(c.event, c.body) for c in chained]
        )
        return
    # One statement per table (executemany), then the head.
    await connection.execute(insert(_EVENTS), [c.event for c in chained])
    for c in chained:
        seq = c.event["seq"]
        await _insert_children(connection, _DISCLOSURES, seq, c.body["disclosures"], True)
        await _insert_children(connection, _DISCLOSED, seq, c.body["disclosed"], False)
    last = chained[-1]
    await connection.execute(
        update(_HEAD).where(_HEAD.c.id == 1).values(last_hash=last.digest, last_at=last.occurred_at)
    )


def _write_postgresql() -> TextClause:
    """On PostgreSQL an event is one statement, whatever its size (one round trip, one
    prepared plan): the event row, its disclosures and disclosed keys (each child table
    from arrays, one per column), and the head's hash, as data-modifying CTEs. The foreign
    keys are checked at the end of the statement, when the event row is there. Names come
    from our own table metadata; every value is bound."""

    def cast(name: str, column: Column[Any], array: str = "") -> str:
        return f"CAST(:{name} AS {_pg_type(column)}{array})"

    def children(table: Table, prefix: str) -> str:
        columns = [c for c in table.columns if c.name != "event_seq"]
        names = ", ".join(c.name for c in columns)
        arrays = ", ".join(cast(f"{prefix}_{c.name}", c, "[]") for c in columns)
        into = f"INSERT INTO {table.name} (event_seq, {names}) "
        return into + f"SELECT CAST(:seq AS BIGINT), * FROM unnest({arrays})"  # noqa: S608

    event_names = ", ".join(c.name for c in _EVENTS.columns)
    event_values = ", ".join(cast(c.name, c) for c in _EVENTS.columns)
    head = (
        f"UPDATE {_HEAD.name} SET last_hash = CAST(:hash AS TEXT), "  # noqa: S608
        "last_at = CAST(:occurred_at AS TIMESTAMPTZ) WHERE id = 1"
    )
    return text(
        f"WITH event AS (INSERT INTO {_EVENTS.name} ({event_names}) VALUES ({event_values})), "  # noqa: S608
        f"disclosures AS ({children(_DISCLOSURES, 'disclosure')}), "
        f"disclosed AS ({children(_DISCLOSED, 'disclosed')}) {head}"
    )


def _pg_type(column: Column[Any]) -> str:
    kind = column.type.python_type
    if kind is int:
        return "BIGINT" if isinstance(column.type, BigInteger) else "INTEGER"
    if kind is dt.datetime:
        return "TIMESTAMPTZ"
    # Never VARCHAR(n): an explicit cast would truncate a value the insert must refuse.
    return "TEXT"


def _postgresql_parameters(event: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    parameters = dict(event)
    disclosures = body["disclosures"]
    for name in (c.name for c in _DISCLOSURES.columns if c.name not in ("event_seq", "ordinal")):
        parameters[f"disclosure_{name}"] = [row[name] for row in disclosures]
    parameters["disclosure_ordinal"] = list(range(len(disclosures)))
    for name in (c.name for c in _DISCLOSED.columns if c.name != "event_seq"):
        parameters[f"disclosed_{name}"] = [row[name] for row in body["disclosed"]]
    return parameters


_WRITE_POSTGRESQL = _write_postgresql()


async def append_event(
    session: AsyncSession, entry: AuditEntry, *, now: dt.datetime | None = None
) -> int:
    """Appends ``entry`` to the chain in the session's transaction; returns its seq.

    Serialised across processes (see :func:`reserve_slot`). Callers must commit this
    transaction before returning any data the event covers, and must roll it back whole
    if this raises; a half-written event never commits because it is one transaction.
    """
    return await write_event(session, await reserve_slot(session), entry, now=now)


def _entry_columns(entry: AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in _ENTRY_COLUMNS}


def _as_row(child: Disclosure | DisclosedKeys | DisclosedRecord) -> dict[str, Any]:
    # dataclasses.asdict deep-copies every value: ten times slower on a 1000-record event.
    return {name: getattr(child, name) for name in child.__slots__}


async def _insert_children(
    connection: AsyncConnection,
    table: Table,
    seq: int,
    rows: list[dict[str, Any]],
    numbered: bool,
) -> None:
    if not rows:
        return
    for n, row in enumerate(rows):
        row["event_seq"] = seq
        if numbered:
            row["ordinal"] = n
    for start in range(0, len(rows), _INSERT_BATCH):
        await connection.execute(insert(table), rows[start : start + _INSERT_BATCH])


async def compact_from(session: AsyncSession) -> int:
    """The first event chained in the compact form (see the module's docstring)."""
    found = await session.scalar(select(_HEAD.c.compact_from).where(_HEAD.c.id == 1))
    return int(found or 1)


async def load_events(
    session: AsyncSession,
    events: Sequence[AuditEvent],
    *,
    index: bool = True,
    first_compact: int | None = None,
) -> list[ChainedEvent]:
    """Events with their disclosures, disclosed keys and records, in the order given.

    ``records``: of a compact event, its chained keys with the enterprise each record
    belongs to (looked up in bulk, per record type, for all the events at once); of a
    legacy one, its chained ``audit_record`` rows. With ``index=False`` only legacy events'
    records are read (all the chain needs)."""
    if not events:
        return []
    if first_compact is None:
        first_compact = await compact_from(session)
    seqs = [e.seq for e in events]
    disclosures = await _children(session, AuditDisclosure, seqs)
    disclosed = await _disclosed(session, seqs)
    legacy = [seq for seq in seqs if seq < first_compact]
    records: dict[int, list[Any]] = await _children(session, AuditRecord, legacy) if legacy else {}
    if index:
        compact = {seq: disclosed.get(seq, []) for seq in seqs if seq >= first_compact}
        records.update(await _named_records(session, compact))
    return [
        _chained(
            e,
            disclosures.get(e.seq, ()),
            disclosed.get(e.seq, ()),
            records.get(e.seq, ()),
            legacy=e.seq < first_compact,
        )
        for e in events
    ]


async def _named_records(
    session: AsyncSession, disclosed: dict[int, list[DisclosedKeys]]
) -> dict[int, list[DisclosedRecord]]:
    """Each event's disclosed records, in (provider, record type, id) order, with the
    enterprise each belongs to."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for keys in (k for per_event in disclosed.values() for k in per_event):
        wanted[keys.record_type].update(keys.ids())
    connection = await session.connection()
    places = {t: await locate_records(connection, t, ids) for t, ids in sorted(wanted.items())}
    named: dict[int, list[DisclosedRecord]] = {}
    for seq, per_event in disclosed.items():
        named[seq] = []
        for keys in _in_order(per_event):
            located = places[keys.record_type]
            for record_id in keys.ids():
                enterprise_id, uscc = located.get(record_id, (None, None))
                named[seq].append(
                    DisclosedRecord(keys.provider, keys.record_type, record_id, enterprise_id, uscc)
                )
    return named


async def _disclosed(session: AsyncSession, seqs: list[int]) -> dict[int, list[DisclosedKeys]]:
    grouped: dict[int, list[DisclosedKeys]] = defaultdict(list)
    rows = await session.execute(
        select(
            _DISCLOSED.c.event_seq,
            _DISCLOSED.c.provider,
            _DISCLOSED.c.record_type,
            _DISCLOSED.c.record_ids,
        ).where(_DISCLOSED.c.event_seq.in_(seqs))
    )
    for seq, provider, record_type, record_ids in rows:
        grouped[seq].append(DisclosedKeys(provider, record_type, record_ids))
    return grouped


async def _children(
    session: AsyncSession, model: type[AuditDisclosure] | type[AuditRecord], seqs: list[int]
) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    rows = await session.scalars(
        select(model).where(model.event_seq.in_(seqs)).order_by(model.event_seq, model.ordinal)
    )
    for row in cast("Iterable[AuditDisclosure | AuditRecord]", rows):
        grouped[row.event_seq].append(row)
    return grouped


def _chained(
    event: AuditEvent,
    disclosures: Iterable[AuditDisclosure],
    disclosed: Iterable[DisclosedKeys],
    records: Iterable[AuditRecord | DisclosedRecord],
    *,
    legacy: bool,
) -> ChainedEvent:
    entry = AuditEntry(
        request_id=event.request_id,
        principal_subject=event.principal_subject,
        principal_department=event.principal_department,
        principal_client=event.principal_client,
        operation_type=event.operation_type,
        operation_name=event.operation_name,
        document_sha256=event.document_sha256,
        variables_sha256=event.variables_sha256,
        purpose=event.purpose,
        case_reference=event.case_reference,
        outcome=event.outcome,
        disclosures=tuple(Disclosure(**_columns_of(d, Disclosure)) for d in disclosures),
        disclosed=tuple(_in_order(disclosed)),
        records=tuple(
            r
            if isinstance(r, DisclosedRecord)
            else DisclosedRecord(**_columns_of(r, DisclosedRecord))
            for r in records
        ),
    )
    return ChainedEvent(
        seq=event.seq,
        occurred_at=utc(event.occurred_at),
        prev_hash=event.prev_hash,
        hash=event.hash,
        entry=entry,
        legacy=legacy,
    )


def _as_record(row: AuditRecord | DisclosedRecord) -> DisclosedRecord:
    if isinstance(row, DisclosedRecord):
        return row
    return DisclosedRecord(**_columns_of(row, DisclosedRecord))


def _columns_of(row: object, shape: type[Disclosure] | type[DisclosedRecord]) -> dict[str, Any]:
    return {f.name: getattr(row, f.name) for f in fields(shape)}


async def verify_chain(session: AsyncSession) -> BrokenLink | None:
    """The first event whose stored hash, link, position or time disagrees with the chain
    recomputed from the stored rows, or None when every event up to the head verifies.

    The head is read first, so events appended during the walk are left for the next one.
    A truncated tail is caught against the head; an attacker who also rewinds the head can
    only be caught against an exported copy (``liaison audit export``) of the last hash.
    """
    head = await session.get_one(AuditHead, 1, populate_existing=True)
    segment = await verify_segment(session, through_seq=head.seq, first_compact=head.compact_from)
    if segment.broken is not None:
        return segment.broken
    return head_mismatch(segment, head.seq, head.last_hash)


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of the chain walked: every event up to ``checked`` verifies (its hash,
    link, position and time), ending in ``last_hash`` at ``last_at``; or the first that
    does not."""

    checked: int
    last_hash: str
    last_at: dt.datetime | None
    walked: int
    broken: BrokenLink | None


async def verify_segment(
    session: AsyncSession,
    *,
    through_seq: int,
    first_compact: int,
    after_seq: int = 0,
    after_hash: str = GENESIS_HASH,
    after_at: dt.datetime | None = None,
) -> Segment:
    """Verifies the events after ``after_seq`` (whose hash and time are taken as given) up
    to ``through_seq``. From the start of the chain by default: :func:`verify_chain`."""
    walk = _Walk(checked=after_seq, prev_hash=after_hash, prev_at=after_at)
    async for event in _walk_events(session, through_seq, first_compact, after=after_seq):
        _check(walk, event)
        if walk.broken is not None:
            break
    return Segment(
        walk.checked, walk.prev_hash, walk.prev_at, walk.checked - after_seq, walk.broken
    )


def head_mismatch(segment: Segment, head_seq: int, head_hash: str) -> BrokenLink | None:
    """The break when a chain walked to the head's seq does not end where the head says."""
    if segment.checked != head_seq or segment.last_hash != head_hash:
        return BrokenLink(
            seq=segment.checked + 1,
            reason=f"the head records {head_seq} event(s) ending in {head_hash[:12]}…, "
            f"but the chain holds {segment.checked} ending in {segment.last_hash[:12]}…",
        )
    return None


async def synchronous_commit_off(session: AsyncSession) -> bool:
    """True when PostgreSQL would acknowledge a commit (and so release data an audit event
    guards) before the event is on disk. SQLite runs synchronous=FULL (see engine)."""
    if session.bind is None or session.bind.dialect.name != "postgresql":
        return False
    setting = await session.scalar(text("SHOW synchronous_commit"))
    return bool(setting == "off")


def _check(walk: _Walk, event: ChainedEvent) -> None:
    expected = walk.checked + 1
    if event.seq != expected:
        walk.broken = BrokenLink(expected, f"event {expected} is missing (found {event.seq})")
    elif event.prev_hash != walk.prev_hash:
        walk.broken = BrokenLink(
            event.seq, f"prev_hash does not match the hash of event {event.seq - 1}"
        )
    elif walk.prev_at is not None and event.occurred_at < walk.prev_at:
        walk.broken = BrokenLink(event.seq, "occurred_at is earlier than the previous event's")
    elif (
        event_hash(event.seq, event.occurred_at, event.prev_hash, event.entry, legacy=event.legacy)
        != event.hash
    ):
        walk.broken = BrokenLink(
            event.seq, "stored hash does not match the event's contents (altered row)"
        )
    else:
        walk.checked, walk.prev_hash, walk.prev_at = event.seq, event.hash, event.occurred_at


async def _walk_events(
    session: AsyncSession, last_seq: int, first_compact: int, *, after: int = 0
) -> AsyncIterator[ChainedEvent]:
    while after < last_seq:
        batch = list(
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.seq > after, AuditEvent.seq <= last_seq)
                .order_by(AuditEvent.seq)
                .limit(_VERIFY_BATCH)
            )
        )
        if not batch:
            return
        for event in await load_events(session, batch, index=False, first_compact=first_compact):
            yield event
        after = batch[-1].seq
        session.expunge_all()
