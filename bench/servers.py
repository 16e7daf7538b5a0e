"""Each variant in its own uvicorn process (one worker) on 127.0.0.1 and a free port."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(name: str, app: str, *, factory: bool, env: dict[str, str], logs: Path) -> Server:
    """``app`` is uvicorn's ``module:attribute``; the same server options for every variant:
    uvloop and httptools (uvicorn's defaults when installed), no access log."""
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", app,
        "--host", "127.0.0.1", "--port", str(port),
        "--app-dir", str(ROOT), "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    if factory:
        command.append("--factory")
    log = logs / f"{name}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, env=env, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT
        )
    return Server(name, process, port, log)


def wait_until_serving(server: Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited at start-up:\n{server.log_tail()}")
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not listen within {timeout:.0f}s:\n{server.log_tail()}")


def stop(server: Server) -> None:
    """By its pid: SIGTERM (uvicorn shuts down gracefully), then SIGKILL after 10 s."""
    if server.process.poll() is not None:
        return
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
