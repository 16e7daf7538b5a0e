"""Liaison as users start it: a real ``liaison serve`` (or ``python3 dev.py serve``) process
on 127.0.0.1, with its own data directory, stopped when the block ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from live_server import free_port

ROOT = Path(__file__).resolve().parents[1]
LIAISON = Path(sys.executable).with_name("liaison")


@dataclass(frozen=True)
class Served:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    environment: dict[str, str]


def environment_for(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment of a process of its own: nothing of the test run's settings."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    environment["LIAISON_DATA_DIR"] = str(data_dir)
    environment["LIAISON_DATABASE_URL"] = database_url or f"sqlite:///{data_dir / 'liaison.db'}"
    environment["PATH"] = f"{LIAISON.parent}{os.pathsep}{environment.get('PATH', '')}"
    return environment


@contextmanager
def serving_process(
    command: Sequence[str],
    environment: dict[str, str],
    *,
    port: int | None = None,
    startup_seconds: float = 120.0,
) -> Iterator[Served]:
    """Runs ``command`` plus ``--port N`` until /healthz answers; stops it (SIGTERM) at
    the end. ``command`` may start with ``dev.py`` (run with this Python) or ``liaison``."""
    port = port or free_port()
    argv = list(command)
    if argv[0] == "dev.py":
        argv = [sys.executable, str(ROOT / "dev.py"), *argv[1:]]
    elif argv[0] == "liaison":
        argv = [str(LIAISON), *argv[1:]]
    process = subprocess.Popen(
        [*argv, "--port", str(port)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, startup_seconds)
        yield Served(url, port, process, environment)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_healthy(url: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise RuntimeError(f"the server exited with {process.returncode}: {error[-2000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer /healthz within {seconds:g} s")


def port_is_free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
