"""Archives of the audit chain: a period's events as JSON Lines (each line an event's
canonical body plus its hash, as ``liaison audit export`` writes them) with a manifest that
anchors the file — its SHA-256, its first and last events and their links — so the archive
can be verified later, on its own or against the database it came from. The chain itself is
never pruned: an archive is a copy kept elsewhere (cold storage, another authority).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import IO, Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db.audit import BrokenLink, canonical_json, sha256_hex
from liaison.db.audit_log import export_events
from liaison.db.audit_models import GENESIS_HASH, AuditEvent

FORMAT = "liaison-audit-archive/1"


@dataclass(frozen=True, slots=True)
class Manifest:
    format: str
    events: int
    first_seq: int | None
    last_seq: int | None
    first_prev_hash: str | None  # what the first event links to (the chain before it)
    last_hash: str | None  # what the next archive's first event must link to
    sha256: str  # of the archive file's bytes
    created_at: str

    def as_json(self) -> bytes:
        return orjson.dumps(asdict(self), option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)

    @classmethod
    def parse(cls, data: bytes) -> Manifest:
        fields: dict[str, Any] = orjson.loads(data)
        if not isinstance(fields, dict) or fields.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} manifest")
        try:
            return cls(**{name: fields[name] for name in cls.__slots__})
        except KeyError as missing:
            raise ValueError(f"the manifest has no {missing}") from None


async def write_archive(
    session: AsyncSession, since: dt.datetime | None, until: dt.datetime | None, sink: IO[bytes]
) -> Manifest:
    """Writes the events of ``[since, until)`` to ``sink`` and returns their manifest."""
    digest = hashlib.sha256()
    count, first, last = 0, None, None
    async for line in export_events(session, since, until):
        encoded = orjson.dumps(line, option=orjson.OPT_SORT_KEYS) + b"\n"
        sink.write(encoded)
        digest.update(encoded)
        count += 1
        first = first or line
        last = line
    sink.flush()
    return Manifest(
        format=FORMAT,
        events=count,
        first_seq=None if first is None else int(first["seq"]),
        last_seq=None if last is None else int(last["seq"]),
        first_prev_hash=None if first is None else str(first["prev_hash"]),
        last_hash=None if last is None else str(last["hash"]),
        sha256=digest.hexdigest(),
        created_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


@dataclass(frozen=True, slots=True)
class ArchiveCheck:
    events: int
    broken: BrokenLink | None = None
    problem: str | None = None  # a disagreement with the manifest or the database

    @property
    def intact(self) -> bool:
        return self.broken is None and self.problem is None


def check_lines(lines: Iterable[bytes]) -> tuple[int, BrokenLink | None, dict[str, Any] | None]:
    """Re-hashes every event of an archive and follows its links: (events checked, the
    first broken one, the first event). Needs no database."""
    count, previous, first = 0, None, None
    for raw in lines:
        if not raw.strip():
            continue
        try:
            line = orjson.loads(raw)
            body = {k: v for k, v in line.items() if k != "hash"}
            event = _Linked(
                int(line["seq"]),
                str(line["hash"]),
                str(line["prev_hash"]),
                str(line["occurred_at"]),
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
            return count, BrokenLink(count + 1, f"line {count + 1} is not an exported event"), first
        first = first or line
        problem = _link_problem(previous, event)
        if problem is None and sha256_hex(canonical_json(body)) != event.hash:
            problem = "hash does not match the event's contents"
        if problem is not None:
            return count, BrokenLink(event.seq, problem), first
        previous = event
        count += 1
    return count, None, first


@dataclass(frozen=True, slots=True)
class _Linked:
    seq: int
    hash: str
    prev_hash: str
    occurred_at: str  # UTC, fixed width: ordered as text


def _link_problem(previous: _Linked | None, event: _Linked) -> str | None:
    if previous is None:
        return None
    if event.seq != previous.seq + 1:
        return f"event {previous.seq + 1} is missing"
    if event.prev_hash != previous.hash:
        return "prev_hash does not match the previous event"
    if event.occurred_at < previous.occurred_at:
        return "occurred_at is earlier than the previous event's"
    return None


def check_archive(data: bytes, manifest: Manifest) -> ArchiveCheck:
    """The archive's own chain, and its agreement with its manifest."""
    count, broken, first = check_lines(data.splitlines())
    if broken is not None:
        return ArchiveCheck(count, broken)
    if hashlib.sha256(data).hexdigest() != manifest.sha256:
        return ArchiveCheck(count, problem="the file's SHA-256 is not the manifest's")
    last = _last_line(data)
    found = (
        count,
        None if first is None else int(first["seq"]),
        None if last is None else int(last["seq"]),
        None if first is None else str(first["prev_hash"]),
        None if last is None else str(last["hash"]),
    )
    stated = (
        manifest.events,
        manifest.first_seq,
        manifest.last_seq,
        manifest.first_prev_hash,
        manifest.last_hash,
    )
    if found != stated:
        return ArchiveCheck(count, problem="the events are not those the manifest states")
    if manifest.first_seq == 1 and manifest.first_prev_hash != GENESIS_HASH:
        return ArchiveCheck(count, problem="the first event does not link to the genesis")
    return ArchiveCheck(count)


def _last_line(data: bytes) -> dict[str, Any] | None:
    for raw in reversed(data.splitlines()):
        if raw.strip():
            found: dict[str, Any] = orjson.loads(raw)
            return found
    return None


async def check_against(session: AsyncSession, manifest: Manifest) -> str | None:
    """Whether the database's chain holds the archive's events as they are in it: its
    first event links where the archive's does and its last event has the archive's hash.
    None when it does (or the archive is empty)."""
    if manifest.first_seq is None or manifest.last_seq is None:
        return None
    found = await session.execute(
        select(AuditEvent.seq, AuditEvent.hash, AuditEvent.prev_hash).where(
            AuditEvent.seq.in_([manifest.first_seq, manifest.last_seq])
        )
    )
    rows = {int(seq): (str(hash_), str(prev)) for seq, hash_, prev in found}
    if manifest.first_seq not in rows or manifest.last_seq not in rows:
        return "the database does not hold the archive's events"
    if rows[manifest.first_seq][1] != manifest.first_prev_hash:
        return "the database's chain links the archive's first event elsewhere"
    if rows[manifest.last_seq][0] != manifest.last_hash:
        return "the database's event differs from the archive's last event"
    return None
