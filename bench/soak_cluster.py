"""A throw-away PostgreSQL cluster the soak test may restart as it likes: its own data
directory, a free loopback port, started and stopped with ``pg_ctl`` (as the ``postgres``
account when run as root). Never the machine's own cluster."""

from __future__ import annotations

import os
import pwd
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.databases import _postgres_bin, clean_environment
from bench.servers import free_port

DATABASE = "liaison_soak"


def _as_postgres() -> dict[str, Any]:
    if os.geteuid() != 0:
        return {}
    account = pwd.getpwnam("postgres")
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


@dataclass
class Cluster:
    directory: Path
    port: int
    binaries: Path

    @property
    def data(self) -> Path:
        return self.directory / "cluster"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _pg_ctl(self, *arguments: str) -> None:
        subprocess.run(  # noqa: S603 - PostgreSQL's own tool, our arguments
            [str(self.binaries / "pg_ctl"), "-D", str(self.data), *arguments],
            env={**clean_environment(), "LC_ALL": "C"},
            check=True,
            capture_output=True,
            **_as_postgres(),
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.directory} -c max_connections=200"
        )
        self._pg_ctl(
            "start", "-w", "-t", "60", "-l", str(self.directory / "postgres.log"), "-o", options
        )

    def restart_immediately(self) -> None:
        """What a crash or an operator's ``restart -m immediate`` does: every session cut
        without a shutdown checkpoint, recovery from the WAL at start."""
        self._pg_ctl("stop", "-m", "immediate", "-w")
        self.start()

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "fast", "-w")

    def ready(self) -> bool:
        probe = subprocess.run(  # noqa: S603
            [str(self.binaries / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
            check=False,
        )
        return probe.returncode == 0


@contextmanager
def temporary_cluster(workdir: Path) -> Iterator[Cluster]:
    binaries = _postgres_bin()
    directory = workdir / "soak-postgres"
    directory.mkdir()
    owner = _as_postgres()
    if owner:
        workdir.chmod(0o711)
        os.chown(directory, owner["user"], owner["group"])
    subprocess.run(  # noqa: S603
        [
            str(binaries / "initdb"),
            "-D",
            str(directory / "cluster"),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
        ],
        env={**clean_environment(), "LC_ALL": "C"},
        check=True,
        capture_output=True,
        **owner,
    )
    cluster = Cluster(directory, free_port(), binaries)
    cluster.start()
    try:
        deadline = time.monotonic() + 30
        while not cluster.ready():
            if time.monotonic() > deadline:
                raise RuntimeError("the soak cluster did not accept connections")
            time.sleep(0.2)
        subprocess.run(  # noqa: S603
            [
                str(binaries / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(cluster.port),
                "-U",
                "postgres",
                DATABASE,
            ],
            env=clean_environment(),
            check=True,
            capture_output=True,
        )
        yield cluster
    finally:
        try:
            cluster.stop()
        except subprocess.CalledProcessError:
            cluster._pg_ctl("stop", "-m", "immediate", "-w")
