#!/usr/bin/env python3
"""Bootstrap and run Liaison with nothing but Python 3.11+ and the package registries.

    python3 dev.py serve   # server on SQLite with demo data: http://127.0.0.1:8000/graphql
    python3 dev.py test    # the whole test suite

Both create ./.venv from requirements.lock on first use (and whenever the lock changes).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
CONSOLE_LOCK = ROOT / "src" / "liaison" / "api" / "console" / "vendor.lock.json"
STAMP = VENV / ".liaison-installed"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for path in (LOCK, ROOT / "pyproject.toml", CONSOLE_LOCK):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by any python3
        sys.exit(f"Liaison needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if STAMP.exists() and STAMP.read_text() == _fingerprint():
        return
    if not (BIN / "python").exists():
        print(f"creating {VENV.name} ...", file=sys.stderr, flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    # Progress goes to stderr: `TOKEN=$(python3 dev.py liaison token ...)` on a fresh clone
    # must capture the token alone.
    print("installing pinned dependencies from requirements.lock ...", file=sys.stderr, flush=True)
    subprocess.run([*pip, "install", "-r", str(LOCK)], check=True, stdout=sys.stderr)
    subprocess.run([*pip, "install", "--no-deps", "-e", str(ROOT)], check=True, stdout=sys.stderr)
    # The console's third-party files (ECharts), from the npm registry, checked by the lock.
    subprocess.run([str(BIN / "liaison"), "console", "assets"], check=True, stdout=sys.stderr)
    STAMP.write_text(_fingerprint())


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"serve", "test", "liaison"}:
        print(__doc__)
        return 2
    ensure_venv()
    command, rest = argv[0], argv[1:]
    if command in {"serve", "liaison"}:
        # Become the command rather than wait for it: Ctrl-C and `kill <this pid>` then reach
        # the server itself, and nothing is left holding the port.
        arguments = ["serve", "--demo", *rest] if command == "serve" else rest
        liaison = str(BIN / "liaison")
        if os.name == "nt":  # no exec that keeps the process on Windows
            return subprocess.call([liaison, *arguments])
        os.execv(liaison, [liaison, *arguments])  # noqa: S606 - our own venv's script
    code = subprocess.call([str(BIN / "python"), "-m", "pytest", *rest], cwd=ROOT)
    if code == 5:
        print("pytest ran no test: treated as a failure", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
