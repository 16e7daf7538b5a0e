"""How Liaison's costs grow with its data, on PostgreSQL (a temporary cluster this script
starts on a free loopback port; never the machine's own). Bounded; prints a table.

    .venv/bin/python bench/growth.py                          # everything, default sizes
    .venv/bin/python bench/growth.py --only pages --enterprises 10000,100000,1000000
    .venv/bin/python bench/growth.py --only access-log --events 10000,1000000,10000000
    .venv/bin/python bench/growth.py --only verify --verify-events 1000000
    .venv/bin/python bench/growth.py --only appends --workers 1,2,4
    .venv/bin/python bench/growth.py --quick                  # small sizes: the harness only

- pages: a first page, a page deep in the keyset (after the last-but-100 enterprise) and a
  lookup by USCC, as customs (another department's enterprises, masked fields, audited),
  through the app in process; p50 and p95 over --requests requests at each demo size.
  Keyset pages must stay flat.
- access-log: "who read enterprise X's dangerous-chemical entries this month" (the README's
  accessLog question) asked by customs' auditor over a trail of N synthetic events (each an
  emergency read of customs' entries of five enterprises, indexed), p50/p95; target p95 <
  50 ms at 10 M.
- verify: ``liaison audit verify`` over a chain of N events built in bulk (each hashed and
  linked as an append would): events per second and the process's peak memory (streamed:
  it should not grow with N).
- appends: audited reads per second with 1, 2 and 4 server processes (``liaison serve
  --workers``), 16 clients: the chain's append rate, serialised on its head.
"""

# Each lambda below is called within the loop iteration that defines it.
# ruff: noqa: B023

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
import httpx

from bench.databases import clean_environment, liaison
from bench.soak_cluster import Cluster, temporary_cluster
from liaison.db.audit import (
    AuditEntry,
    DisclosedKeys,
    Disclosure,
    canonical_body,
    canonical_json,
    sha256_hex,
)

PAGE = "{ enterprises(first: 100, after: $after) { edges { node { uscc name zone status "
LOOKUP = "query($u: String!) { enterprise(uscc: $u) { uscc name zone status industry } }"
ACCESS_LOG = """query($u: String!, $from: DateTime!) {
  accessLog(filter: {provider: "customs", enterpriseUscc: $u,
                     recordType: "dangerous_chemical_entry", from: $from}) {
    edges { node { seq occurredAt department purpose outcome } }
  }
}"""


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def _token(data_dir: Path, department: str, role: str) -> str:
    return liaison(
        "token",
        "--data-dir",
        str(data_dir),
        "--department",
        department,
        "--role",
        role,
        "--lifetime",
        "86400",
        env=clean_environment(),
    ).strip()


async def _fresh_database(cluster: Cluster, name: str) -> str:
    admin = await asyncpg.connect(cluster.url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return cluster.url.rsplit("/", 1)[0] + f"/{name}"


async def _timed(client: httpx.AsyncClient, requests: int, make: Any) -> tuple[float, float]:
    latencies = []
    for n in range(requests + 5):
        query, variables, headers = make(n)
        started = time.perf_counter()
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.text
        assert "data" in response.json(), response.text
        if n >= 5:  # warmed up
            latencies.append(elapsed * 1000)
    return _percentiles(latencies)


def _app(url: str, data_dir: Path) -> Any:
    from liaison.api.app import create_app
    from liaison.api.config import from_environment

    settings = from_environment().with_overrides(database_url=url, data_dir=data_dir)
    import dataclasses

    limits = dataclasses.replace(settings.limits, rate_records_per_minute=0)
    return create_app(dataclasses.replace(settings, limits=limits))


# --- pages ---------------------------------------------------------------------------------


async def pages(cluster: Cluster, sizes: list[int], requests: int, workdir: Path) -> list[str]:
    rows = [
        "| enterprises | first page p50 / p95 ms | deep page p50 / p95 ms | lookup p50 / p95 ms |",
        "|---|---|---|---|",
    ]
    for size in sizes:
        url = await _fresh_database(cluster, f"growth_pages_{size}")
        data_dir = workdir / f"pages-{size}"
        data_dir.mkdir()
        started = time.perf_counter()
        liaison(
            "demo",
            "--database-url",
            url,
            "--data-dir",
            str(data_dir),
            "--enterprises",
            str(size),
            env=clean_environment(),
        )
        built = time.perf_counter() - started
        connection = await asyncpg.connect(url)
        try:
            deep_id = await connection.fetchval("SELECT max(id) - 100 FROM enterprise")
            usccs = [
                r["uscc"]
                for r in await connection.fetch(
                    "SELECT uscc FROM enterprise ORDER BY random() LIMIT 200"
                )
            ]
        finally:
            await connection.close()
        token = _token(data_dir, "customs", "reader")
        headers = {"Authorization": f"Bearer {token}", "Liaison-Purpose": "joint_inspection"}
        import base64

        deep = base64.urlsafe_b64encode(f"id:{deep_id}".encode()).decode().rstrip("=")
        page = "query($after: String) " + PAGE + "address legalRepresentative } } } }"
        app = _app(url, data_dir)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://liaison") as client:
            first = await _timed(client, requests, lambda n: (page, {"after": None}, headers))
            deep_page = await _timed(client, requests, lambda n: (page, {"after": deep}, headers))
            lookup = await _timed(
                client, requests, lambda n: (LOOKUP, {"u": usccs[n % len(usccs)]}, headers)
            )
        rows.append(
            f"| {size:,} (demo built in {built:.0f} s) | {first[0]:.1f} / {first[1]:.1f} | "
            f"{deep_page[0]:.1f} / {deep_page[1]:.1f} | {lookup[0]:.1f} / {lookup[1]:.1f} |"
        )
        print(rows[-1], flush=True)
    return rows


# --- the access log over N events ------------------------------------------------------------

_SYNTHETIC = (
    # Events {low}..{high} of {total}: emergency reads customs' entries, spread over the
    # 90 days before now (seq order is time order).
    """INSERT INTO audit_event SELECT g,
       now() - (({total} - g) * interval '90 days') / {total},
       'growth-' || g, 'emergency-growth', 'emergency', 'growth', 'query', NULL,
       repeat('0', 64), repeat('0', 64), 'joint_inspection', NULL, 'ok', repeat('0', 64),
       md5('growth' || g) || md5(g::text)
       FROM generate_series({low}, {high}) AS g""",
    """INSERT INTO audit_disclosure SELECT g, 0, 'customs', 'dangerous_chemical_entry',
       'cas_number', 'full', 1, 'memo', 1, 5, 'granted by memo'
       FROM generate_series({low}, {high}) AS g""",
    # Five enterprises an event, of 100,000.
    """INSERT INTO audit_enterprise SELECT DISTINCT
       'G' || lpad(((g * 5 + k) % 100000)::text, 17, '0'), g, 'customs',
       'dangerous_chemical_entry'
       FROM generate_series({low}, {high}) AS g, generate_series(0, 4) AS k""",
)


async def access_log(cluster: Cluster, sizes: list[int], requests: int, workdir: Path) -> list[str]:
    rows = ["| audit events | who read enterprise X this month: p50 / p95 ms |", "|---|---|"]
    for size in sizes:
        url = await _fresh_database(cluster, f"growth_log_{size}")
        data_dir = workdir / f"log-{size}"
        data_dir.mkdir()
        liaison(
            "migrate", "--database-url", url, "--data-dir", str(data_dir), env=clean_environment()
        )
        connection = await asyncpg.connect(url)
        try:
            await connection.execute(
                "INSERT INTO department (code, name, kind) VALUES "
                "('customs', 'customs', 'customs'), "
                "('emergency', 'emergency', 'emergency_management')"
            )
            step = 1_000_000
            for low in range(1, size + 1, step):
                high = min(size, low + step - 1)
                for statement in _SYNTHETIC:
                    await connection.execute(statement.format(low=low, high=high, total=size))
            await connection.execute(
                f"UPDATE audit_head SET seq = {size}, last_at = now()"  # noqa: S608 - an int
            )  # indexing is done
            await connection.execute("ALTER TABLE audit_index_head DISABLE TRIGGER USER")
            await connection.execute("UPDATE audit_index_head SET indexed_seq = $1", size)
            await connection.execute("ALTER TABLE audit_index_head ENABLE TRIGGER USER")
            await connection.execute(
                "VACUUM ANALYZE audit_event, audit_disclosure, audit_enterprise"
            )
        finally:
            await connection.close()
        token = _token(data_dir, "customs", "auditor")
        headers = {"Authorization": f"Bearer {token}"}
        month = (dt.datetime.now(dt.UTC) - dt.timedelta(days=30)).isoformat()
        app = _app(url, data_dir)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://liaison") as client:
            figures = await _timed(
                client,
                requests,
                lambda n: (
                    ACCESS_LOG,
                    {"u": "G" + str((n * 7919) % 100000).zfill(17), "from": month},
                    headers,
                ),
            )
        rows.append(f"| {size:,} | {figures[0]:.1f} / {figures[1]:.1f} |")
        print(rows[-1], flush=True)
    return rows


# --- liaison audit verify over a real chain --------------------------------------------------


def _chain(size: int) -> list[tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]]:
    rows = []
    previous = "0" * 64
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for seq in range(1, size + 1):
        entry = AuditEntry(
            request_id=f"verify-{seq}",
            principal_subject="emergency-growth",
            principal_department="emergency",
            principal_client="growth",
            operation_type="query",
            operation_name=None,
            document_sha256="0" * 64,
            variables_sha256="0" * 64,
            purpose="joint_inspection",
            case_reference=None,
            outcome="ok",
            disclosures=(
                Disclosure(
                    "customs",
                    "dangerous_chemical_entry",
                    "cas_number",
                    "full",
                    3,
                    "granted by memo",
                    1,
                    "memo",
                    1,
                ),
            ),
            disclosed=(
                DisclosedKeys.of(
                    "customs",
                    "dangerous_chemical_entry",
                    [seq % 1000, seq % 1000 + 1, seq % 1000 + 2],
                ),
            ),
        )
        moment = at + dt.timedelta(milliseconds=seq)
        body = canonical_body(seq, moment, previous, entry)
        digest = sha256_hex(canonical_json(body))
        rows.append(
            (
                (
                    seq,
                    moment,
                    entry.request_id,
                    entry.principal_subject,
                    "emergency",
                    "growth",
                    "query",
                    None,
                    "0" * 64,
                    "0" * 64,
                    "joint_inspection",
                    None,
                    "ok",
                    previous,
                    digest,
                ),
                (
                    seq,
                    0,
                    "customs",
                    "dangerous_chemical_entry",
                    "cas_number",
                    "full",
                    1,
                    "memo",
                    1,
                    3,
                    "granted by memo",
                ),
                (seq, "customs", "dangerous_chemical_entry", entry.disclosed[0].record_ids),
            )
        )
        previous = digest
    return rows


async def verify(cluster: Cluster, size: int, workdir: Path) -> list[str]:
    url = await _fresh_database(cluster, f"growth_verify_{size}")
    data_dir = workdir / "verify"
    data_dir.mkdir()
    liaison("migrate", "--database-url", url, "--data-dir", str(data_dir), env=clean_environment())
    started = time.perf_counter()
    chain = _chain(size)
    hashed = time.perf_counter() - started
    connection = await asyncpg.connect(url)
    try:
        await connection.copy_records_to_table("audit_event", records=[c[0] for c in chain])
        await connection.copy_records_to_table("audit_disclosure", records=[c[1] for c in chain])
        await connection.copy_records_to_table("audit_disclosed", records=[c[2] for c in chain])
        last = chain[-1][0]
        await connection.execute(
            "UPDATE audit_head SET seq = $1, last_hash = $2, last_at = $3", size, last[14], last[1]
        )
        await connection.execute("ALTER TABLE audit_index_head DISABLE TRIGGER USER")
        await connection.execute("UPDATE audit_index_head SET indexed_seq = $1", size)
        await connection.execute("ALTER TABLE audit_index_head ENABLE TRIGGER USER")
    finally:
        await connection.close()
    del chain
    script = str(Path(sys.executable).with_name("liaison"))
    started = time.perf_counter()
    output, peak = _measured([script, "audit", "verify", "--database-url", url])
    seconds = time.perf_counter() - started
    verdict = next((line for line in output.splitlines() if line.startswith("audit")), output)
    return [
        "| events | verify | events/s | peak RSS of the command |",
        "|---|---|---|---|",
        f"| {size:,} (built and hashed in {hashed:.0f} s) | {verdict[:60]} | "
        f"{size / seconds:,.0f} | {peak / 1024:.0f} MiB |",
    ]


def _measured(command: list[str]) -> tuple[str, int]:
    """Runs our own command, timed alone: its output (stdout and stderr) and its own peak
    RSS in KiB: the high-water mark of its address space (VmHWM, which starts afresh at
    exec), read while it runs. Not wait4's or RUSAGE_CHILDREN's ru_maxrss: those count the
    pages the child shared with this process when it was forked, and this process has just
    held the whole chain in memory."""
    process = subprocess.Popen(  # noqa: S603
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=clean_environment()
    )
    peak = 0
    status = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except (OSError, ValueError):
            pass  # exiting
        time.sleep(0.2)
    assert process.stdout is not None
    return process.stdout.read().decode(), peak


# --- appends with K server processes --------------------------------------------------------


async def appends(cluster: Cluster, workers: list[int], seconds: float, workdir: Path) -> list[str]:
    from bench.soak import serving

    url = await _fresh_database(cluster, "growth_appends")
    data_dir = workdir / "appends"
    data_dir.mkdir()
    liaison(
        "demo",
        "--database-url",
        url,
        "--data-dir",
        str(data_dir),
        "--enterprises",
        "500",
        env=clean_environment(),
    )
    token = _token(data_dir, "emergency", "reader")
    headers = {"Authorization": f"Bearer {token}", "Liaison-Purpose": "joint_inspection"}
    query = "{ dangerousChemicalEntries(first: 1) { edges { node { casNumber } } } }"
    rows = ["| server processes | audited reads (chain appends) per second |", "|---|---|"]
    for count in workers:
        with serving(url, data_dir, count, workdir / f"appends-{count}.log") as served:
            connection = await asyncpg.connect(url)
            try:
                before = await connection.fetchval("SELECT seq FROM audit_head")
                deadline = time.perf_counter() + seconds
                async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:

                    async def one() -> None:
                        while time.perf_counter() < deadline:
                            await client.post("/graphql", json={"query": query}, headers=headers)

                    started = time.perf_counter()
                    await asyncio.gather(*(one() for _ in range(16)))
                    elapsed = time.perf_counter() - started
                after = await connection.fetchval("SELECT seq FROM audit_head")
            finally:
                await connection.close()
        rows.append(f"| {count} | {(after - before) / elapsed:,.0f} |")
        print(rows[-1], flush=True)
    return rows


def _sizes(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part]


async def run(options: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="liaison-growth-") as scratch:
        workdir = Path(scratch)
        with temporary_cluster(workdir) as cluster:
            report: list[str] = [
                f"PostgreSQL in a temporary cluster, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
            ]
            if "pages" in options.only:
                report += [
                    "",
                    *await pages(cluster, _sizes(options.enterprises), options.requests, workdir),
                ]
            if "access-log" in options.only:
                report += [
                    "",
                    *await access_log(cluster, _sizes(options.events), options.requests, workdir),
                ]
            if "verify" in options.only:
                report += ["", *await verify(cluster, int(options.verify_events), workdir)]
            if "appends" in options.only:
                report += [
                    "",
                    *await appends(cluster, _sizes(options.workers), options.seconds, workdir),
                ]
    print("\n".join(report))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--only", type=lambda v: v.split(","), default=["pages", "access-log", "verify", "appends"]
    )
    parser.add_argument("--enterprises", default="10000,100000,1000000")
    parser.add_argument("--events", default="10000,1000000,10000000")
    parser.add_argument("--verify-events", default="1000000")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--quick", action="store_true")
    options = parser.parse_args()
    if options.quick:
        options.enterprises, options.events, options.verify_events = (
            "1000,5000",
            "10000,50000",
            "20000",
        )
        options.workers, options.requests, options.seconds = "1,2", 30, 3.0
    asyncio.run(run(options))


if __name__ == "__main__":
    main()
