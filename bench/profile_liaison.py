"""Where (p) spends a request: cProfile over Liaison serving the page in-process.

    .venv/bin/python bench/profile_liaison.py [--page 1000] [--requests 20] [--caller customs]
                                              [--database-url URL --data-dir DIR]

Without ``--database-url`` it builds a fresh SQLite demo (2000 enterprises, seed 2026) in a
temporary directory. Requests go through httpx's ASGI transport: no sockets, no uvicorn.
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import asyncio
import cProfile
import pstats
import tempfile
import time
from typing import Any

import httpx
import orjson

from bench import databases
from bench.page import QUERY

# graphql-core's per-field machinery: how many calls one request makes of each.
WATCHED = ("execute_field", "complete_value", "complete_leaf_value", "complete_object_value",
           "complete_list_value", "resolve_field", "serialize")  # fmt: skip


async def _profile(options: argparse.Namespace, database: databases.Database) -> None:
    from liaison.api.app import create_app
    from liaison.api.config import from_environment

    app = create_app(
        from_environment().with_overrides(database_url=database.url, data_dir=database.data_dir)
    )
    token = databases.mint_token(database, options.caller)
    headers = {"Authorization": f"Bearer {token}", "Liaison-Purpose": options.purpose}
    body = {"query": QUERY, "variables": {"first": options.page}}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://liaison.bench") as client:

        async def one() -> Any:
            response = await client.post("/graphql", json=body, headers=headers)
            assert response.status_code == 200, response.text
            return orjson.loads(response.content)

        first = await one()
        if "errors" in first:
            raise SystemExit(f"the page carries errors: {first['errors']}")
        for _ in range(3):
            await one()
        started = time.perf_counter()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(options.requests):
            await one()
        profiler.disable()
        elapsed = time.perf_counter() - started
    await app.state.engine.dispose()

    print(f"{options.requests} requests of {options.page} enterprises as {options.caller}: "
          f"{elapsed * 1000 / options.requests:.1f} ms each under cProfile")  # fmt: skip
    stats = pstats.Stats(profiler)
    calls: dict[str, int] = {}
    for (_, _, name), (_, total_calls, *_rest) in stats.stats.items():  # type: ignore[attr-defined]
        if name in WATCHED:
            calls[name] = calls.get(name, 0) + total_calls
    print("calls per request: " + ", ".join(
        f"{name} {count // options.requests:,}" for name, count in sorted(calls.items())
    ))  # fmt: skip
    stats.sort_stats(options.sort).print_stats(options.top)
    if options.save:
        stats.dump_stats(options.save)
        print(f"profile saved to {options.save} (python -m pstats {options.save})")


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench/profile_liaison.py", description=__doc__)
    parser.add_argument("--page", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--caller", default="customs")
    parser.add_argument("--purpose", default="joint_inspection")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    parser.add_argument("--save", help="also write the profile to this file (pstats format)")
    parser.add_argument("--top", type=int, default=30)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="liaison-profile-") as scratch:
        if options.database_url:
            data_dir = options.data_dir or Path(scratch)
            database = databases.Database("given", options.database_url, data_dir, None, "given")
        else:
            with databases.sqlite(Path(scratch)) as database:
                databases.build_demo(database, 2000, 2026)
        asyncio.run(_profile(options, database))


if __name__ == "__main__":
    main()
