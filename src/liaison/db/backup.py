"""Backups of a whole Liaison database and their restore, on both databases.

SQLite: SQLite's online backup API copies a consistent snapshot of a database in use.
PostgreSQL: ``pg_dump`` in its custom format (one consistent snapshot, restored with
``pg_restore --clean --single-transaction``: all or nothing). Beside each backup a manifest
states what it holds: the dialect, the schema revision, and the audit chain's head (length
and last hash) as of the snapshot.

Security contract: a restore never rewinds an audit chain. It is refused onto a database
whose chain is ahead of the backup's, or as long as the backup's but ending elsewhere; after
a restore the chain is verified from its first event.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

import orjson
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from liaison.db.audit import BrokenLink, verify_chain
from liaison.db.engine import create_engine, session_factory
from liaison.db.planner_statistics import gather_statistics

FORMAT = "liaison-backup/1"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class Manifest:
    format: str
    dialect: str
    revision: str | None
    audit_events: int
    audit_head_hash: str | None
    sha256: str
    created_at: str

    def as_json(self) -> bytes:
        return orjson.dumps(asdict(self), option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            fields = orjson.loads(path.read_bytes())
            if fields.get("format") != FORMAT:
                raise ValueError
            return cls(**{name: fields[name] for name in cls.__slots__})
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            raise BackupError(f"{path} is not a {FORMAT} manifest") from None


def manifest_path(backup_file: Path) -> Path:
    return backup_file.with_name(backup_file.name + ".manifest.json")


@dataclass(frozen=True, slots=True)
class ChainState:
    events: int
    head_hash: str | None


def _dialect(url: str) -> str:
    return make_url(url).get_backend_name()


def _libpq_url(url: str) -> str:
    """The URL ``pg_dump`` and ``pg_restore`` understand (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an SQLite backup needs a database file, not an in-memory database")
    return Path(database)


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (PostgreSQL's client tools are needed)")
    return found


def _run(command: list[str]) -> str:
    environment = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    finished = subprocess.run(  # noqa: S603 - PostgreSQL's own tools, arguments ours
        command, capture_output=True, text=True, check=False, env=environment
    )
    if finished.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {finished.stderr.strip()[-800:]}")
    return finished.stdout


# --- reading a chain's state ---------------------------------------------------------------


async def chain_state(url: str) -> ChainState | None:
    """The audit chain's length and last hash, or None for a database Liaison never
    migrated (no chain at all)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
            if "audit_head" not in tables:
                return None
            row = (await connection.execute(text("SELECT seq, last_hash FROM audit_head"))).one()
            return ChainState(int(row[0]), None if int(row[0]) == 0 else str(row[1]))
    finally:
        await engine.dispose()


async def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
            if "alembic_version" not in tables:
                return None
            return str(await connection.scalar(text("SELECT version_num FROM alembic_version")))
    finally:
        await engine.dispose()


def _dumped_chain(dump: Path) -> ChainState:
    """The audit head as a custom-format dump holds it (its COPY data)."""
    script = _run([_tool("pg_restore"), "--data-only", "--table=audit_head", "--file=-", str(dump)])
    lines = script.splitlines()
    for n, line in enumerate(lines):
        if line.startswith("COPY ") and "audit_head" in line:
            columns = line[line.index("(") + 1 : line.index(")")].split(", ")
            values = dict(zip(columns, lines[n + 1].split("\t"), strict=False))
            events = int(values["seq"])
            return ChainState(events, None if events == 0 else values["last_hash"])
    raise BackupError("the dump holds no audit chain (not a Liaison database?)")


def _dumped_revision(dump: Path) -> str | None:
    script = _run(
        [_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(dump)]
    )
    lines = script.splitlines()
    for n, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line:
            return lines[n + 1].strip()
    return None


# --- backup ----------------------------------------------------------------------------------


async def backup(url: str, output: Path) -> Manifest:
    """Writes a backup of the database at ``url`` to ``output`` and its manifest beside it."""
    dialect = _dialect(url)
    if await asyncio.to_thread(output.exists):
        raise BackupError(f"{output} exists: a backup never overwrites a file")
    if dialect == "sqlite":
        source = _sqlite_path(url)
        if not await asyncio.to_thread(source.exists):
            raise BackupError(f"no SQLite database at {source}")
        await asyncio.to_thread(_sqlite_copy, source, output)
        copied = f"sqlite:///{output.as_posix()}"
        state = await chain_state(copied)
        revision = await _revision(copied)
    elif dialect == "postgresql":
        await asyncio.to_thread(
            _run,
            [_tool("pg_dump"), "--format=custom", f"--file={output}", _libpq_url(url)],
        )
        state = await asyncio.to_thread(_dumped_chain, output)
        revision = await asyncio.to_thread(_dumped_revision, output)
    else:  # pragma: no cover - engine.async_url refuses other databases first
        raise BackupError(f"no backup for {dialect}")
    if state is None:
        raise BackupError("the database holds no audit chain (not a Liaison database?)")
    manifest = Manifest(
        format=FORMAT,
        dialect=dialect,
        revision=revision,
        audit_events=state.events,
        audit_head_hash=state.head_hash,
        sha256=await asyncio.to_thread(_digest, output),
        created_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    await asyncio.to_thread(manifest_path(output).write_bytes, manifest.as_json() + b"\n")
    return manifest


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while a server writes (a writer's
    pages changed meanwhile make the copy start those pages again)."""
    origin = sqlite3.connect(source)
    try:
        copy = sqlite3.connect(target)
        try:
            origin.backup(copy)
        finally:
            copy.close()
    finally:
        origin.close()


# --- restore ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Restored:
    manifest: Manifest
    replaced: ChainState | None  # what the target held before, if anything
    broken: BrokenLink | None  # the restored chain's first broken link, if any


async def restore(url: str, backup_file: Path) -> Restored:
    """Restores ``backup_file`` into the database at ``url``, then verifies its chain."""
    manifest = await asyncio.to_thread(Manifest.read, manifest_path(backup_file))
    dialect = _dialect(url)
    if manifest.dialect != dialect:
        raise BackupError(f"a {manifest.dialect} backup cannot be restored into {dialect}")
    if await asyncio.to_thread(_digest, backup_file) != manifest.sha256:
        raise BackupError(f"{backup_file} is not the file its manifest describes (SHA-256)")
    exists = await asyncio.to_thread(_target_exists, url, dialect)
    current = await chain_state(url) if exists else None
    _refuse_rewind(current, manifest)
    if dialect == "sqlite":
        await asyncio.to_thread(_sqlite_copy, backup_file, _sqlite_path(url))
    else:
        await asyncio.to_thread(
            _run,
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_libpq_url(url)}",
                str(backup_file),
            ],
        )
        engine = create_engine(url)
        try:
            await gather_statistics(engine)
        finally:
            await engine.dispose()
    return Restored(manifest, current, await _verified(url))


def _target_exists(url: str, dialect: str) -> bool:
    return dialect != "sqlite" or _sqlite_path(url).exists()


def _refuse_rewind(current: ChainState | None, manifest: Manifest) -> None:
    if current is None or current.events == 0:
        return
    if current.events > manifest.audit_events:
        raise BackupError(
            f"the database's audit chain is ahead of the backup ({current.events} events "
            f"against {manifest.audit_events}): restoring would rewind it. Restore into an "
            "empty database, or archive the newer events first ('liaison audit archive')."
        )
    if current.events == manifest.audit_events and current.head_hash != manifest.audit_head_hash:
        raise BackupError(
            f"the database's audit chain has as many events as the backup's "
            f"({current.events}) but ends elsewhere: the two have diverged"
        )


async def _verified(url: str) -> BrokenLink | None:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return await verify_chain(session)
    finally:
        await engine.dispose()
