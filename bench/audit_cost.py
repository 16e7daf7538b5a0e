"""What the audit trail costs (issues 5 and 7). Loopback only, bounded.

(a) A 100-row and a 1000-row cross-department query (emergency reads customs'
    dangerous-chemical entries under the demo memorandum, 10 fields) through the ASGI app in
    process (httpx), with the audit extension on and off, interleaved: median wall time and
    median CPU time of this process per request (``time.process_time``: all its threads,
    aiosqlite's and SQLite's included; a PostgreSQL server's own CPU is not counted, as in
    issue 7's "server CPU"), and the CPU ratio on/off.
(b) Events per second the chain sustains: N appends of a representative event (3 fields
    disclosed, 100 records listed), one transaction each, committed as a request would be;
    by one writer and by 8 concurrent writers.

    .venv/bin/python bench/audit_cost.py                      # SQLite only
    .venv/bin/python bench/audit_cost.py --postgres-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/audit_cost.py --no-appends         # (a) only

With --postgres-url (a loopback server), a scratch database ``liaison_audit_bench`` is
created there and dropped at the end.
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run as a script: import ``bench`` from the repository root
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import asyncio
import dataclasses
import statistics
import tempfile
import time
from importlib import resources
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.engine import make_url
from strawberry.extensions import SchemaExtension

import liaison.schema.build as schema_build
from liaison.api.app import create_app
from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from liaison.api.tokens import mint_access_token
from liaison.db import models
from liaison.db.agreements import store_agreement
from liaison.db.demo.generate import populate
from liaison.db.engine import create_engine, session_factory
from liaison.db.migrate import upgrade
from liaison.permissions.policy_file import load_policy_file

ISSUER, AUDIENCE = "urn:liaison:bench", "urn:liaison:bench-api"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
SCRATCH = "liaison_audit_bench"
MAX_ITERATIONS, MAX_EVENTS = 1000, 100_000

QUERY = """query Page($first: Int!) { dangerousChemicalEntries(first: $first) { edges { node {
  id chemicalName casNumber unNumber hazardClass quantity unit port entryDate storageLocation
} } } }"""
WARM_UP = 5


class _NoAudit(SchemaExtension):
    """Stands in for AuditTrail: the same schema, minus the audit."""


async def prepare(url: str, enterprises: int) -> None:
    await asyncio.to_thread(upgrade, url)  # Alembic runs its own event loop
    engine = create_engine(url)
    try:
        await populate(engine, enterprises=enterprises, seed=2026)
        memorandum = resources.files("liaison.db.demo") / "memorandum.yaml"
        async with session_factory(engine)() as session, session.begin():
            await store_agreement(
                session,
                load_policy_file(Path(str(memorandum))),
                status="active",
                created_by="bench",
            )
    finally:
        await engine.dispose()


def _app(settings: Settings, *, audited: bool) -> Any:
    original = schema_build.AuditTrail
    if not audited:
        schema_build.AuditTrail = _NoAudit  # type: ignore[misc]
    try:
        return create_app(settings)
    finally:
        schema_build.AuditTrail = original  # type: ignore[misc]


async def query_cost(settings: Settings, iterations: int, rows: int) -> dict[str, dict[str, float]]:
    keys = SigningKeys.load_or_create(settings.data_dir)
    bearer = mint_access_token(
        keys,
        issuer=ISSUER,
        audience=AUDIENCE,
        subject="bench",
        department="emergency",
        roles=("reader",),
        client_id="bench",
        lifetime_seconds=3600,
    )
    headers = {"Authorization": f"Bearer {bearer}", "Liaison-Purpose": "emergency_response"}
    request = {"query": QUERY, "variables": {"first": rows}}
    apps = {"audit on": _app(settings, audited=True), "audit off": _app(settings, audited=False)}
    clients = {
        name: httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b")
        for name, app in apps.items()
    }
    wall: dict[str, list[float]] = {name: [] for name in apps}
    cpu: dict[str, list[float]] = {name: [] for name in apps}
    order = list(clients.items())
    try:
        for round_ in range(iterations + WARM_UP):
            order.reverse()  # interleaved, alternating which goes first
            for name, client in order:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = await client.post("/graphql", json=request, headers=headers)
                elapsed = time.perf_counter() - started
                cpu_used = time.process_time() - cpu_started
                body = response.json()
                assert "errors" not in body, body
                assert len(body["data"]["dangerousChemicalEntries"]["edges"]) == rows
                if round_ >= WARM_UP:
                    wall[name].append(elapsed * 1000)
                    cpu[name].append(cpu_used * 1000)
    finally:
        for name, client in clients.items():
            await client.aclose()
            await apps[name].state.engine.dispose()
    return {
        name: {
            "median_ms": statistics.median(wall[name]),
            "p90_ms": statistics.quantiles(wall[name], n=10)[-1],
            "cpu_median_ms": statistics.median(cpu[name]),
        }
        for name in apps
    }


async def database_cost(
    settings: Settings, postmaster: int, blocks: int, rows: int, block: int = 20
) -> dict[str, dict[str, float]]:
    """Server plus database CPU per request, audit on and off, in alternating blocks of
    ``block`` requests: the cluster's CPU (every backend, autovacuum and the writers) is
    read at block boundaries only. The audited block includes expanding its events into
    the index, which a served process does in the background (no lifespan runs here)."""
    from bench import proc
    from liaison.db.audit_log import index_pending

    keys = SigningKeys.load_or_create(settings.data_dir)
    bearer = mint_access_token(
        keys,
        issuer=ISSUER,
        audience=AUDIENCE,
        subject="bench",
        department="emergency",
        roles=("reader",),
        client_id="bench",
        lifetime_seconds=3600,
    )
    headers = {"Authorization": f"Bearer {bearer}", "Liaison-Purpose": "emergency_response"}
    request = {"query": QUERY, "variables": {"first": rows}}
    apps = {"audit on": _app(settings, audited=True), "audit off": _app(settings, audited=False)}
    clients = {
        name: httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b")
        for name, app in apps.items()
    }
    server: dict[str, list[float]] = {name: [] for name in apps}
    database: dict[str, list[float]] = {name: [] for name in apps}
    sessions = session_factory(apps["audit on"].state.engine)
    order = list(clients.items())
    try:
        for round_ in range(blocks + 1):  # the first round warms up
            order.reverse()
            for name, client in order:
                await asyncio.sleep(0.3)  # what the previous block left to do settles
                db_started, cpu_started = proc.tree_cpu_seconds(postmaster), time.process_time()
                for _ in range(block):
                    response = await client.post("/graphql", json=request, headers=headers)
                    assert response.status_code == 200, response.text
                if name == "audit on":
                    async with sessions() as session, session.begin():
                        await index_pending(session)
                cpu_used = time.process_time() - cpu_started
                await asyncio.sleep(0.3)  # the commit's WAL flush and the stats land
                db_used = proc.tree_cpu_seconds(postmaster) - db_started
                if round_:
                    server[name].append(cpu_used * 1000 / block)
                    database[name].append(db_used * 1000 / block)
    finally:
        for name, client in clients.items():
            await client.aclose()
            await apps[name].state.engine.dispose()
    return {
        name: {
            "server_cpu_ms": statistics.median(server[name]),
            "database_cpu_ms": statistics.median(database[name]),
        }
        for name in apps
    }


async def _representative_entry(url: str) -> Any:
    from liaison.db.audit import AuditEntry, DisclosedKeys, Disclosure

    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            ids = list(
                await session.scalars(
                    select(models.DangerousChemicalEntry.id)
                    .order_by(models.DangerousChemicalEntry.id)
                    .limit(100)
                )
            )
    finally:
        await engine.dispose()
    disclosures = tuple(
        Disclosure(
            "customs",
            "dangerous_chemical_entry",
            name,
            level,
            100,
            "granted by memo",
            1,
            "ftz-joint-supervision-memorandum",
            1,
        )
        for name, level in (
            ("cas_number", "full"),
            ("chemical_name", "full"),
            ("quantity", "masked"),
        )
    )
    return AuditEntry(
        request_id="bench",
        principal_subject="bench",
        principal_department="emergency",
        principal_client="bench",
        operation_type="query",
        operation_name="Hundred",
        document_sha256="0" * 64,
        variables_sha256="0" * 64,
        purpose="emergency_response",
        case_reference=None,
        outcome="ok",
        disclosures=disclosures,
        disclosed=(DisclosedKeys.of("customs", "dangerous_chemical_entry", ids),),
    )


async def append_rate(url: str, events: int, writers: int) -> float:
    """Events per second: each append (with its 100 record keys) commits on its own."""
    from liaison.db.audit import append_event

    entry = await _representative_entry(url)
    engine = create_engine(url, pool_size=writers)
    sessions = session_factory(engine)
    remaining = events

    async def writer() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            async with sessions() as session, session.begin():
                await append_event(session, entry)

    try:
        started = time.perf_counter()
        await asyncio.gather(*(writer() for _ in range(writers)))
        return events / (time.perf_counter() - started)
    finally:
        await engine.dispose()


async def measure(
    url: str, data_dir: Path, args: argparse.Namespace, postmaster: int | None = None
) -> dict[str, Any]:
    await prepare(url, args.enterprises)
    settings = Settings(
        data_dir=data_dir,
        database_url=url,
        issuer=ISSUER,
        audience=AUDIENCE,
        token_lifetime_seconds=3600,
    )
    # The per-caller record budget would throttle the loop: lift it (its check still runs).
    settings = dataclasses.replace(
        settings,
        limits=dataclasses.replace(settings.limits, rate_records_per_minute=10**9),
    )
    figures: dict[str, Any] = {
        "query": {rows: await query_cost(settings, args.iterations, rows) for rows in args.rows}
    }
    if postmaster is not None:
        figures["database"] = {
            rows: await database_cost(settings, postmaster, args.blocks, rows, args.block)
            for rows in args.rows
        }
    if args.appends:
        figures["events_per_second"] = {
            "1 writer": await append_rate(url, args.events, 1),
            "8 writers": await append_rate(url, args.events, 8),
        }
    return figures


async def _scratch(admin_url: str, action: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        if action == "create":
            await connection.execute(f"CREATE DATABASE {SCRATCH}")
    finally:
        await connection.close()


def report(backend: str, figures: dict[str, Any]) -> None:
    print(f"{backend}:", flush=True)
    for rows, query in figures["query"].items():
        on, off = query["audit on"], query["audit off"]
        for name, got in (("audit off", off), ("audit on ", on)):
            print(
                f"  {rows}-row cross-department query, {name}: wall median "
                f"{got['median_ms']:.1f} ms (p90 {got['p90_ms']:.1f}), "
                f"CPU median {got['cpu_median_ms']:.2f} ms"
            )
        print(
            f"  {rows}-row: audit on/off CPU per request "
            f"{on['cpu_median_ms'] / off['cpu_median_ms']:.3f}x "
            f"(+{on['cpu_median_ms'] - off['cpu_median_ms']:.2f} ms), wall "
            f"+{on['median_ms'] - off['median_ms']:.1f} ms",
            flush=True,
        )
    for rows, cost in figures.get("database", {}).items():
        on, off = cost["audit on"], cost["audit off"]
        total_on = on["server_cpu_ms"] + on["database_cpu_ms"]
        total_off = off["server_cpu_ms"] + off["database_cpu_ms"]
        print(
            f"  {rows}-row, server + database CPU per request: audit off "
            f"{off['server_cpu_ms']:.2f} + {off['database_cpu_ms']:.2f} ms, audit on "
            f"{on['server_cpu_ms']:.2f} + {on['database_cpu_ms']:.2f} ms: "
            f"{total_on / total_off:.3f}x",
            flush=True,
        )
    for writers, rate in figures.get("events_per_second", {}).items():
        print(f"  chain appends ({writers}): {rate:.0f} events/s", flush=True)


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="liaison-audit-bench-") as directory:
        data_dir = Path(directory)
        sqlite = f"sqlite:///{data_dir / 'bench.db'}"
        report("SQLite (WAL, synchronous=FULL)", await measure(sqlite, data_dir, args))
        if args.postgres_url:
            admin = make_url(args.postgres_url)
            if admin.host not in LOOPBACK:
                raise SystemExit("--postgres-url must point at a loopback server")
            await _scratch(admin.set(drivername="postgresql").render_as_string(False), "create")
            try:
                url = admin.set(database=SCRATCH).render_as_string(hide_password=False)
                report("PostgreSQL (synchronous_commit=on)", await measure(url, data_dir, args))
            finally:
                await _scratch(admin.render_as_string(hide_password=False), "drop")
        if args.temporary_postgres:
            from bench.databases import temporary_postgres

            with temporary_postgres(_cluster_directory(data_dir)) as cluster:
                report(
                    "PostgreSQL, a temporary cluster (its CPU measured too)",
                    await measure(cluster.url, cluster.data_dir, args, cluster.postmaster_pid),
                )


def _cluster_directory(data_dir: Path) -> Path:
    data_dir.chmod(0o711)  # the postgres account must reach the cluster's directory
    directory = data_dir / "cluster"
    directory.mkdir()
    return directory


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=2000)
    parser.add_argument(
        "--rows", type=int, nargs="+", default=[100, 1000], help="page sizes (at most 1000)"
    )
    parser.add_argument(
        "--no-appends", dest="appends", action="store_false", help="skip the append rate"
    )
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument(
        "--temporary-postgres",
        action="store_true",
        help="also on a throw-away PostgreSQL cluster, whose CPU is measured (server + database)",
    )
    parser.add_argument("--blocks", type=int, default=8, help="blocks each way")
    parser.add_argument(
        "--block",
        type=int,
        default=100,
        help="requests a block (the cluster's CPU is read in clock ticks: 10 ms a tick)",
    )
    args = parser.parse_args()
    if not (1 <= args.iterations <= MAX_ITERATIONS and 1 <= args.events <= MAX_EVENTS):
        parser.error(f"iterations <= {MAX_ITERATIONS}, events <= {MAX_EVENTS}")
    if not all(1 <= rows <= 1000 for rows in args.rows):
        parser.error("--rows between 1 and 1000")
    return args


if __name__ == "__main__":
    asyncio.run(main(_arguments()))
