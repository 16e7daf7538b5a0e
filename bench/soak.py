"""Load and faults: Liaison under many clients on PostgreSQL with two server processes, with
faults injected while it serves, and on SQLite killed mid-write and out of disk. Loopback
only, bounded in time (about 6 minutes with the defaults), stops by itself.

    .venv/bin/python bench/soak.py                      # everything
    .venv/bin/python bench/soak.py --quick              # 5 clients, short phases: the harness
    .venv/bin/python bench/soak.py --phases quiet,hostile --clients 50 --seconds 60

Phases (each reports req/s, p50/p95/p99, 5xx, what clients saw, and what was lost: an
answer that carried another department's data, or a write, without its audit event):

- quiet: the mixed load alone; target p95 < 500 ms and no 5xx;
- hostile: the same with hostile payloads at 1/s (deep, alias-heavy, wide, large bodies);
  target: the legitimate p95 within 2× the quiet run's;
- pg-restart: PostgreSQL restarted with ``-m immediate`` (a temporary cluster this script
  starts, never the machine's own) 5 s in; target 503s during, service back within 10 s;
- worker-kill: ``kill -9`` of one of the two server processes 5 s in;
- audit-fail: inserts into ``audit_event`` refused by a trigger from 5 s to 10 s in; target:
  no data without its event (503 AUDIT_UNAVAILABLE meanwhile);
- sqlite-kill: the SQLite server killed (``kill -9``) mid-write; then ``PRAGMA
  integrity_check``, the chain verified, and every write acknowledged found;
- disk-full: the SQLite database on a tiny tmpfs filled up; target: writes and audited reads
  refused (503), nothing served without its event, service back once there is room.

Afterwards ``liaison audit verify`` must pass on each database. Figures go to stdout and to
``bench/results/soak-<time>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg

from bench.databases import clean_environment, liaison
from bench.servers import free_port
from bench.soak_cluster import Cluster, temporary_cluster
from bench.soak_load import Answer, Run, figures, outage, run_load

RESULTS = Path(__file__).resolve().parent / "results"
PHASES = ("quiet", "hostile", "pg-restart", "worker-kill", "audit-fail", "sqlite-kill", "disk-full")
FAULT_AT = 5.0


@dataclass
class Phase:
    name: str
    figures: dict[str, Any]
    lost: int  # answers with data (or writes acknowledged) that have no audit event
    outage: tuple[float, float] | None = None
    notes: list[str] = field(default_factory=list)


# --- servers ------------------------------------------------------------------------------


@dataclass
class Serving:
    process: subprocess.Popen[bytes]
    port: int
    environment: dict[str, str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def serving(
    database_url: str, data_dir: Path, workers: int, log: Path, settings: dict[str, str]
) -> Iterator[Serving]:
    port = free_port()
    environment = {
        **clean_environment(),
        "LIAISON_DATABASE_URL": database_url,
        "LIAISON_DATA_DIR": str(data_dir),
        # The load would spend any principal's record budget: the budget is not measured.
        "LIAISON_RATE_RECORDS_PER_MINUTE": "0",
        **settings,
    }
    script = Path(sys.executable).with_name("liaison")
    with log.open("ab") as sink:
        process = subprocess.Popen(  # noqa: S603 - our own command
            [str(script), "serve", "--port", str(port), "--workers", str(workers)],
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    served = Serving(process, port, environment)
    try:
        _wait_healthy(served)
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_healthy(served: Serving, seconds: float = 90) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise RuntimeError(f"the server exited with {served.process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{served.url}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("the server did not become healthy")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":  # a killed worker not yet reaped
            found.append(int(entry.name))
    return found


def tokens_for(data_dir: Path) -> Callable[[str, tuple[str, ...]], str]:
    def mint(department: str, roles: tuple[str, ...]) -> str:
        arguments = [
            "token",
            "--data-dir",
            str(data_dir),
            "--department",
            department,
            "--lifetime",
            "86400",
            "--subject",
            f"{department}-soak",
        ]
        for role in roles:
            arguments += ["--role", role]
        return liaison(*arguments, env=clean_environment()).strip()

    return mint


# --- the audit trail, afterwards -------------------------------------------------------


async def audited_request_ids(database_url: str, prefix: str) -> set[str]:
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        with contextlib.closing(sqlite3.connect(path)) as connection:
            rows = connection.execute(
                "SELECT request_id FROM audit_event WHERE request_id LIKE ?", (f"{prefix}%",)
            ).fetchall()
        return {row[0] for row in rows}
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT request_id FROM audit_event WHERE request_id LIKE $1", f"{prefix}%"
        )
    finally:
        await connection.close()
    return {row["request_id"] for row in rows}


def lost(answers: list[Answer], audited: set[str]) -> int:
    return sum(1 for a in answers if a.audited and a.with_data and a.request_id not in audited)


def verify_chain(database_url: str, data_dir: Path) -> str:
    done = subprocess.run(  # noqa: S603 - our own command
        [
            str(Path(sys.executable).with_name("liaison")),
            "audit",
            "verify",
            "--database-url",
            database_url,
            "--data-dir",
            str(data_dir),
        ],
        env=clean_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    return (done.stdout + done.stderr).strip().splitlines()[0] if done.stdout else done.stderr


# --- phases ----------------------------------------------------------------------------------


async def measured(
    name: str,
    served: Serving,
    database_url: str,
    data_dir: Path,
    usccs: list[str],
    options: argparse.Namespace,
    *,
    seconds: float | None = None,
    hostile: float = 0.0,
    during: Callable[[], Awaitable[Any]] | None = None,
) -> tuple[Phase, Run]:
    run = await run_load(
        served.url,
        tokens_for(data_dir),
        usccs,
        label=name,
        clients=options.clients,
        seconds=seconds or options.seconds,
        hostile_per_second=hostile,
        during=during,
    )
    audited = await audited_request_ids(database_url, f"soak-{name}-")
    phase = Phase(
        name,
        asdict(figures(run.answers, run.seconds)),
        lost(run.answers, audited),
        outage(run.answers) if during is not None else None,
    )
    return phase, run


async def pg_phases(options: argparse.Namespace, workdir: Path) -> list[Phase]:
    phases: list[Phase] = []
    wanted = set(options.phases)
    with temporary_cluster(workdir) as cluster:
        data_dir = workdir / "pg-data"
        data_dir.mkdir()
        liaison(
            "demo",
            "--database-url",
            cluster.url,
            "--data-dir",
            str(data_dir),
            "--enterprises",
            str(options.enterprises),
            env=clean_environment(),
        )
        usccs = await _usccs(cluster.url)
        log = workdir / "pg-server.log"
        with serving(cluster.url, data_dir, 2, log, options.setting) as served:
            await _warm_up(served, cluster.url, data_dir, usccs, options)
            quiet_p95 = None
            if "quiet" in wanted:
                phase, _ = await measured("quiet", served, cluster.url, data_dir, usccs, options)
                quiet_p95 = phase.figures["p95_ms"]
                phases.append(phase)
            if "hostile" in wanted:
                phase, run = await measured(
                    "hostile", served, cluster.url, data_dir, usccs, options, hostile=1.0
                )
                refused = {a.kind: (a.status, a.code) for a in run.hostile}
                phase.notes.append(f"hostile payloads answered: {refused}")
                if quiet_p95:
                    phase.notes.append(
                        f"legitimate p95 {phase.figures['p95_ms']:.0f} ms = "
                        f"{phase.figures['p95_ms'] / quiet_p95:.2f}x the quiet run's"
                    )
                phases.append(phase)
            if "pg-restart" in wanted:
                phases.append(await _restart(cluster, served, data_dir, usccs, options))
            if "worker-kill" in wanted:
                phases.append(await _worker_kill(served, cluster.url, data_dir, usccs, options))
            if "audit-fail" in wanted:
                phases.append(await _audit_fail(served, cluster.url, data_dir, usccs, options))
        phases.append(Phase("postgresql chain", {}, 0, None, [verify_chain(cluster.url, data_dir)]))
    return phases


async def _warm_up(
    served: Serving, database_url: str, data_dir: Path, usccs: list[str], options: Any
) -> None:
    """The load, unmeasured, then the statistics a running service's autovacuum has: a
    fresh demo's audit tables are empty, and until autovacuum's first round (up to a
    minute) PostgreSQL plans ``accessLog`` as if they still were (16 ms instead of 1)."""
    if options.warm_up <= 0:
        return
    await run_load(
        served.url,
        tokens_for(data_dir),
        usccs,
        label="warm-up",
        clients=options.clients,
        seconds=options.warm_up,
    )
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def _usccs(database_url: str) -> list[str]:
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        with contextlib.closing(sqlite3.connect(path)) as connection:
            return [r[0] for r in connection.execute("SELECT uscc FROM enterprise LIMIT 200")]
    connection = await asyncpg.connect(database_url)
    try:
        return [r["uscc"] for r in await connection.fetch("SELECT uscc FROM enterprise LIMIT 200")]
    finally:
        await connection.close()


async def _restart(
    cluster: Cluster, served: Serving, data_dir: Path, usccs: list[str], options: Any
) -> Phase:
    async def fault() -> None:
        await asyncio.sleep(FAULT_AT)
        await asyncio.to_thread(cluster.restart_immediately)

    phase, run = await measured(
        "pg-restart",
        served,
        cluster.url,
        data_dir,
        usccs,
        options,
        seconds=options.fault_seconds,
        during=fault,
    )
    if phase.outage is not None:
        first, back = phase.outage
        phase.notes.append(f"failures from {first:.1f} s; service back at {back:.1f} s")
    codes = sorted({a.code for a in run.answers if a.status not in (200, 0) and a.code})
    phase.notes.append(f"error codes clients saw: {codes}")
    return phase


async def _worker_kill(
    served: Serving, database_url: str, data_dir: Path, usccs: list[str], options: Any
) -> Phase:
    killed: list[int] = []

    async def fault() -> None:
        await asyncio.sleep(FAULT_AT)
        workers = _children(served.process.pid)
        if workers:
            os.kill(workers[0], signal.SIGKILL)
            killed.append(workers[0])

    phase, _ = await measured(
        "worker-kill",
        served,
        database_url,
        data_dir,
        usccs,
        options,
        seconds=options.fault_seconds,
        during=fault,
    )
    phase.notes.append(f"killed worker pid {killed}; workers now {_children(served.process.pid)}")
    return phase


async def _audit_fail(
    served: Serving, database_url: str, data_dir: Path, usccs: list[str], options: Any
) -> Phase:
    refuse = (
        "CREATE FUNCTION soak_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'soak: audit storage refused'; END $$; "
        "CREATE TRIGGER soak_refuse_audit BEFORE INSERT ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION soak_refuse_audit()"
    )
    allow = "DROP TRIGGER soak_refuse_audit ON audit_event; DROP FUNCTION soak_refuse_audit()"

    async def fault() -> None:
        await asyncio.sleep(FAULT_AT)
        connection = await asyncpg.connect(database_url)
        try:
            await connection.execute(refuse)
            await asyncio.sleep(5)
            await connection.execute(allow)
        finally:
            await connection.close()

    phase, run = await measured(
        "audit-fail",
        served,
        database_url,
        data_dir,
        usccs,
        options,
        seconds=options.fault_seconds,
        during=fault,
    )
    held = sum(1 for a in run.answers if a.code == "AUDIT_UNAVAILABLE")
    phase.notes.append(f"{held} answer(s) held back as AUDIT_UNAVAILABLE (no data)")
    return phase


async def sqlite_phases(options: argparse.Namespace, workdir: Path) -> list[Phase]:
    phases: list[Phase] = []
    wanted = set(options.phases)
    if "sqlite-kill" in wanted:
        phases.append(await _sqlite_kill(options, workdir))
    if "disk-full" in wanted:
        phases.append(await _disk_full(options, workdir))
    return phases


def _sqlite_demo(directory: Path, enterprises: int) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{directory / 'liaison.db'}"
    liaison(
        "demo",
        "--database-url",
        url,
        "--data-dir",
        str(directory),
        "--enterprises",
        str(enterprises),
        env=clean_environment(),
    )
    return url


async def _sqlite_kill(options: Any, workdir: Path) -> Phase:
    directory = workdir / "sqlite-kill"
    url = _sqlite_demo(directory, min(options.enterprises, 300))
    usccs = await _usccs(url)
    with serving(url, directory, 1, workdir / "sqlite-server.log", options.setting) as served:

        async def fault() -> None:
            await asyncio.sleep(FAULT_AT)
            served.process.send_signal(signal.SIGKILL)

        phase, run = await measured(
            "sqlite-kill",
            served,
            url,
            directory,
            usccs,
            options,
            seconds=options.fault_seconds,
            during=fault,
        )
    path = directory / "liaison.db"
    with contextlib.closing(sqlite3.connect(path)) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        written = {r[0] for r in connection.execute("SELECT description FROM risk")}
    acknowledged = [a for a in run.answers if a.kind == "mutation" and a.with_data]
    missing = [
        a
        for a in acknowledged
        if f"soak test finding {a.request_id.rsplit('-', 1)[1]}" not in written
    ]
    phase.notes += [
        f"PRAGMA integrity_check: {integrity}",
        f"{len(acknowledged)} write(s) acknowledged before the kill, {len(missing)} not found",
        verify_chain(url, directory),
    ]
    phase.lost += len(missing)
    return phase


async def _disk_full(options: Any, workdir: Path) -> Phase:
    source = workdir / "disk-full-source"
    _sqlite_demo(source, 100)
    mount = workdir / "tiny"
    mount.mkdir()
    size_kib = (source / "liaison.db").stat().st_size // 1024 + 384
    mounted = subprocess.run(  # noqa: S603, ASYNC221 - before any load: nothing waits on it
        ["/usr/bin/mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        return Phase(
            "disk-full", {}, 0, None, [f"not run: mount refused ({mounted.stderr.strip()})"]
        )
    try:
        shutil.copy2(source / "liaison.db", mount / "liaison.db")
        tiny = f"sqlite:///{mount / 'liaison.db'}"
        usccs = await _usccs(tiny)
        with serving(tiny, mount, 1, workdir / "disk-full-server.log", options.setting) as served:
            phase, run = await measured(
                "disk-full", served, tiny, mount, usccs, options, seconds=options.fault_seconds
            )
            free = shutil.disk_usage(mount).free
            # Room again: the same server must serve (and audit) without a restart.
            subprocess.run(  # noqa: S603, ASYNC221 - between two loads
                ["/usr/bin/mount", "-o", f"remount,size={size_kib * 8}k", str(mount)],
                check=True,
                capture_output=True,
            )
            _, after = await measured(
                "disk-full-after", served, tiny, mount, usccs, options, seconds=3.0
            )
            served_again = sum(1 for a in after.answers if a.audited and a.with_data)
        refused = sum(1 for a in run.answers if a.status == 503)
        codes = sorted({a.code for a in run.answers if a.code})
        phase.notes += [
            f"{refused} answer(s) 503 once the disk was full ({free} bytes free at the end); "
            f"error codes: {codes}",
            f"with room again, {served_again} audited answer(s) with data in 3 s, no restart",
            verify_chain(tiny, mount),
        ]
        return phase
    finally:
        subprocess.run(  # noqa: S603, ASYNC221 - after the load
            ["/usr/bin/umount", str(mount)], check=False, capture_output=True
        )


# --- the report ------------------------------------------------------------------------------


def report(phases: list[Phase]) -> str:
    lines = [
        "| phase | req/s | p50 ms | p95 ms | p99 ms | 5xx (not 503) | 503 | no answer | lost |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for phase in phases:
        f = phase.figures
        if not f:
            lines.append(f"| {phase.name} | – | – | – | – | – | – | – | – |")
            continue
        lines.append(
            f"| {phase.name} | {f['per_second']:.1f} | {f['p50_ms']:.0f} | {f['p95_ms']:.0f} | "
            f"{f['p99_ms']:.0f} | {f['server_errors']} | {f['unavailable']} | "
            f"{f['unanswered']} | {phase.lost} |"
        )
    for phase in phases:
        kinds = (phase.figures or {}).get("by_kind") or {}
        if kinds:
            each = ", ".join(f"{k} {n} × {p50:.0f}/{p95:.0f}" for k, (n, p50, p95) in kinds.items())
            lines.append(f"- {phase.name}: answers × p50/p95 ms by kind: {each}")
        for note in phase.notes:
            lines.append(f"- {phase.name}: {note}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="of the quiet and hostile phases"
    )
    parser.add_argument("--fault-seconds", type=float, default=25.0)
    parser.add_argument(
        "--warm-up",
        type=float,
        default=15.0,
        help="seconds of unmeasured load on PostgreSQL first, then ANALYZE (0: none)",
    )
    parser.add_argument("--enterprises", type=int, default=2000)
    parser.add_argument("--phases", type=lambda v: v.split(","), default=list(PHASES))
    parser.add_argument("--quick", action="store_true", help="5 clients, 8 s phases")
    parser.add_argument(
        "--setting",
        type=lambda v: dict([v.split("=", 1)]),
        action="append",
        default=[],
        metavar="LIAISON_NAME=VALUE",
        help="a setting of the servers measured (e.g. LIAISON_MAX_CONCURRENT_OPERATIONS=4)",
    )
    options = parser.parse_args(argv)
    if options.quick:
        options.clients, options.seconds, options.fault_seconds = 5, 8.0, 12.0
        options.warm_up = min(options.warm_up, 3.0)
        options.enterprises = 200
    options.setting = {k: v for pair in options.setting for k, v in pair.items()}
    unknown = set(options.phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    started = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory(prefix="liaison-soak-") as scratch:
        workdir = Path(scratch)
        phases = (
            asyncio.run(pg_phases(options, workdir))
            if set(options.phases) & set(PHASES[:5])
            else []
        )
        phases += asyncio.run(sqlite_phases(options, workdir))
    table = report(phases)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"soak-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(
        json.dumps(
            {
                "started": started.isoformat(),
                "options": vars(options),
                "phases": [asdict(p) for p in phases],
            },
            indent=1,
        )
    )
    print(f"\nfigures: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
