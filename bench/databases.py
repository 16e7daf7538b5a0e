"""A fresh demo database per backend: a SQLite file in a temporary directory, or a
PostgreSQL database in a temporary cluster this module starts (or on a server given by URL)."""

from __future__ import annotations

import asyncio
import os
import pwd
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from glob import glob
from pathlib import Path
from typing import Any

from bench.servers import free_port

BENCH_DATABASE = "liaison_bench"


@dataclass
class Database:
    backend: str  # "sqlite" or "postgresql"
    url: str
    data_dir: Path  # Liaison's signing keys live here
    postmaster_pid: int | None  # a cluster started here: its CPU is measured too
    where: str
    server_version: str = ""


def liaison(*arguments: str, env: dict[str, str] | None = None) -> str:
    """Runs the ``liaison`` command of this interpreter's environment; returns its stdout."""
    script = Path(sys.executable).with_name("liaison")
    command = (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from liaison.api.cli import main; main()"]
    )
    done = subprocess.run(  # noqa: S603 - our own command and arguments
        [*command, *arguments], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"liaison {' '.join(arguments[:1])} failed:\n{done.stderr.strip()}")
    return done.stdout


def clean_environment() -> dict[str, str]:
    """The caller's environment without Liaison's own settings, so nothing leaks in."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("LIAISON_", "BENCH_"))}


def build_demo(database: Database, enterprises: int, seed: int) -> str:
    return liaison(
        "demo",
        "--database-url", database.url,
        "--data-dir", str(database.data_dir),
        "--enterprises", str(enterprises),
        "--seed", str(seed),
        env=clean_environment(),
    ).strip()  # fmt: skip


def mint_token(database: Database, department: str) -> str:
    return liaison(
        "token",
        "--data-dir", str(database.data_dir),
        "--department", department,
        "--role", "reader",
        "--lifetime", "86400",
        env=clean_environment(),
    ).strip()  # fmt: skip


@contextmanager
def sqlite(workdir: Path) -> Iterator[Database]:
    directory = workdir / "sqlite"
    directory.mkdir()
    path = directory / "liaison.db"
    yield Database(
        "sqlite",
        f"sqlite:///{path}",
        directory,
        None,
        str(path),
        f"SQLite {sqlite3.sqlite_version}",
    )


def _postgres_bin() -> Path:
    given = os.environ.get("PG_BIN")
    if given:
        return Path(given)
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent  # /usr/local/bin/initdb may be a symlink
    candidates = sorted(
        glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: [int(n) for n in re.findall(r"\d+", p)],
    )
    if not candidates:
        raise RuntimeError("no initdb found: install PostgreSQL or set PG_BIN")
    return Path(candidates[-1]).parent


def _as_postgres_user() -> dict[str, Any]:
    """initdb and postgres refuse to run as root: run them as the ``postgres`` account."""
    if os.geteuid() != 0:
        return {}
    account = pwd.getpwnam("postgres")
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


@contextmanager
def temporary_postgres(workdir: Path) -> Iterator[Database]:
    """A throw-away cluster on a free loopback port, stopped by its pid (fast shutdown)."""
    binaries = _postgres_bin()
    directory = workdir / "postgres"
    cluster = directory / "cluster"
    directory.mkdir()
    as_owner = _as_postgres_user()
    if as_owner:
        workdir.chmod(0o711)  # the postgres account must reach its directory
        os.chown(directory, as_owner["user"], as_owner["group"])
    env = {**clean_environment(), "LC_ALL": "C"}
    subprocess.run(  # noqa: S603
        [binaries / "initdb", "-D", cluster, "-U", "postgres", "-A", "trust", "-E", "UTF8",
         "--locale=C", "--no-sync"],
        env=env, check=True, capture_output=True, **as_owner,
    )  # fmt: skip
    port = free_port()
    log = directory / "postgres.log"
    with log.open("wb") as sink:
        postmaster = subprocess.Popen(  # noqa: S603
            [binaries / "postgres", "-D", cluster, "-p", str(port),
             "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={directory}"],
            env=env, stdout=sink, stderr=subprocess.STDOUT, **as_owner,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            if postmaster.poll() is not None:
                raise RuntimeError(f"postgres exited at start-up:\n{log.read_text()[-2000:]}")
            ready = subprocess.run(  # noqa: S603
                [binaries / "pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)], check=False
            )
            if ready.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("postgres did not accept connections within 60 s")
            time.sleep(0.2)
        subprocess.run(  # noqa: S603
            [binaries / "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
             BENCH_DATABASE],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        data_dir = directory / "data"
        data_dir.mkdir()
        url = f"postgresql://postgres@127.0.0.1:{port}/{BENCH_DATABASE}"
        version = subprocess.run(  # noqa: S603
            [binaries / "postgres", "--version"], check=True, capture_output=True, text=True
        ).stdout.strip()
        yield Database(
            "postgresql", url, data_dir, postmaster.pid, f"temporary cluster {cluster}", version
        )
    finally:
        postmaster.send_signal(signal.SIGINT)  # fast shutdown: disconnect clients, stop
        try:
            postmaster.wait(timeout=30)
        except subprocess.TimeoutExpired:
            postmaster.kill()
            postmaster.wait()


@contextmanager
def given_postgres(url: str, workdir: Path) -> Iterator[Database]:
    """A scratch database on the server ``url`` names, dropped at the end."""
    from sqlalchemy import make_url, text
    from sqlalchemy.ext.asyncio import create_async_engine

    from liaison.db.engine import async_url

    server = make_url(url)
    name = f"{BENCH_DATABASE}_{os.getpid()}"

    async def admin(statement: str) -> str:
        engine = create_async_engine(async_url(server), isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                await connection.execute(text(statement))
                return str(await connection.scalar(text("SHOW server_version")))
        finally:
            await engine.dispose()

    version = asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    data_dir = workdir / "postgres-data"
    data_dir.mkdir()
    scratch = server.set(database=name).render_as_string(hide_password=False)
    try:
        yield Database(
            "postgresql",
            scratch,
            data_dir,
            None,
            f"database {name} on {server.host}:{server.port or 5432}",
            f"PostgreSQL {version}",
        )
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
