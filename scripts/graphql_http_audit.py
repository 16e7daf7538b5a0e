#!/usr/bin/env python3
"""Run the GraphQL-over-HTTP server audit of the npm package ``graphql-http`` against Liaison,
then a real ``graphql-ws`` client over the websocket.

    .venv/bin/python scripts/graphql_http_audit.py

Installs graphql-http, graphql-ws and ws (pinned) into a temporary directory with npm,
builds a small demo database, mints tokens, starts ``liaison serve`` on a free loopback port,
runs ``auditServer`` (scripts/graphql_http_audit.mjs) with the token on every request, then
scripts/graphql_ws_client.mjs (a subscription receiving the event of a mutation over HTTP,
and a bad token closed with 4403), prints each result and exits non-zero on any error or
warning. Needs Node.js 18+ and npm; exits 2 without them. Run it with the Python of
Liaison's virtual environment.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
GRAPHQL_HTTP_VERSION = "1.23.1"
GRAPHQL_VERSION = "16"
GRAPHQL_WS_VERSION = "6.4.2"
WS_VERSION = "8.23.0"
LIAISON = [sys.executable, "-c", "from liaison.api.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def run(command: list[str], env: dict[str, str]) -> str:
    print("$", " ".join(["liaison", *command[3:]] if command[:3] == LIAISON else command))
    done = subprocess.run(  # noqa: S603 - fixed argument lists
        command, env=env, check=True, text=True, capture_output=True
    )
    return done.stdout


def wait_until_healthy(base: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"liaison serve exited with {server.returncode}")
        with (
            contextlib.suppress(urllib.error.URLError, ConnectionError),  # not up yet
            urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer,  # noqa: S310
        ):
            if answer.status == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"liaison serve did not become healthy within {seconds:g}s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graphql-http", default=GRAPHQL_HTTP_VERSION, help="npm version")
    parser.add_argument("--enterprises", type=int, default=20, help="size of the demo")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        print("graphql-http audit needs Node.js and npm on PATH", file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="liaison-graphql-http-audit-"))
    data = work / "data"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")},
        "LIAISON_DATA_DIR": str(data),
        "LIAISON_DATABASE_URL": f"sqlite:///{data / 'liaison.db'}",
    }
    server: subprocess.Popen[bytes] | None = None
    log = None
    try:
        run(
            [
                npm,
                "install",
                "--prefix",
                str(work / "npm"),
                "--no-audit",
                "--no-fund",
                f"graphql-http@{args.graphql_http}",
                f"graphql@{GRAPHQL_VERSION}",
                f"graphql-ws@{GRAPHQL_WS_VERSION}",
                f"ws@{WS_VERSION}",
            ],
            env,
        )
        for name in ("graphql_http_audit.mjs", "graphql_ws_client.mjs"):
            shutil.copy(HERE / name, work / "npm" / name)

        run([*LIAISON, "demo", "--enterprises", str(args.enterprises)], env)
        token = run([*LIAISON, "token", "--department", "customs", "--role", "reader"], env)
        writer = run([*LIAISON, "token", "--department", "emergency", "--role", "contributor"], env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        print(f"$ liaison serve --host 127.0.0.1 --port {port}  (log: {work / 'server.log'})")
        log = (work / "server.log").open("wb")
        server = subprocess.Popen(  # noqa: S603
            [*LIAISON, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        wait_until_healthy(base, server)

        node_env = {
            **env,
            "LIAISON_AUDIT_URL": f"{base}/graphql",
            "LIAISON_AUDIT_TOKEN": token.strip(),
            "LIAISON_WS_WRITER_TOKEN": writer.strip(),
        }
        print(f"$ node graphql_http_audit.mjs  (graphql-http {args.graphql_http}, {base}/graphql)")
        audit = subprocess.run(  # noqa: S603
            [node, str(work / "npm" / "graphql_http_audit.mjs")], env=node_env, check=False
        )
        print(f"\n$ node graphql_ws_client.mjs  (graphql-ws {GRAPHQL_WS_VERSION})")
        client = subprocess.run(  # noqa: S603
            [node, str(work / "npm" / "graphql_ws_client.mjs")], env=node_env, check=False
        )
        return audit.returncode or client.returncode
    except subprocess.CalledProcessError as failed:
        print(failed.stdout, failed.stderr, sep="\n", file=sys.stderr)
        return failed.returncode or 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        if log is not None:
            log.close()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
