"""Create or drop a scratch PostgreSQL database for one CI run (no psql needed)."""

from __future__ import annotations

import asyncio
import os
import re
import sys

import asyncpg

ADMIN_URL = os.environ.get("LIAISON_CI_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


async def main(action: str, name: str) -> None:
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", name):
        raise SystemExit(f"unsafe database name {name!r}")
    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if action == "create":
            await connection.execute(f"CREATE DATABASE {name}")
    finally:
        await connection.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
