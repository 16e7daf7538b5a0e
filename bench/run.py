"""The benchmark of issue 7, in one command (see bench/README.md):

    .venv/bin/python bench/run.py [--database sqlite|postgres|both] [--rounds 3] [--duration 10]
                                  [--quick]

Per backend: a fresh demo database, the three variants each in its own uvicorn process, one
page fetched from each and compared byte for byte, then rounds of load in rotated order.
Writes bench/results/<timestamp>.jsonl and prints medians and ratios.
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run as a script: import ``bench`` from the repository root
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import datetime as dt
import difflib
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import httpx
import orjson

from bench import databases, load, proc, report, servers
from bench.databases import Database
from bench.page import CALLERS, OWNER, QUERY, masks_for

ROOT = servers.ROOT
RESULTS = ROOT / "bench" / "results"


@dataclass(frozen=True)
class Variant:
    name: str
    app: str  # uvicorn's module:attribute
    factory: bool


VARIANTS = (
    Variant("plain", "bench.plain:app_from_environment", factory=True),
    Variant("stock", "bench.stock:app_from_environment", factory=True),
    Variant("liaison", "liaison.api.asgi:app", factory=False),
)


def request_for(variant: str, page: int, token: str, purpose: str) -> load.Request:
    if variant == "plain":
        return load.Request("GET", f"/enterprises?first={page}", {})
    headers = {"Content-Type": "application/json"}
    if variant == "liaison":
        headers |= {"Authorization": f"Bearer {token}", "Liaison-Purpose": purpose}
    body = orjson.dumps({"query": QUERY, "variables": {"first": page}})
    return load.Request("POST", "/graphql", headers, body)


def _fetch(client: httpx.Client, server: servers.Server, request: load.Request) -> bytes:
    response = client.request(
        request.method, server.base_url + request.path, headers=request.headers,
        content=request.body,
    )  # fmt: skip
    if response.status_code != 200:
        raise SystemExit(f"{server.name}: HTTP {response.status_code}\n{response.text[:2000]}")
    return response.content


def _diff(name: str, body: bytes, reference: bytes) -> str:
    def lines(data: bytes) -> list[str]:
        return orjson.dumps(orjson.loads(data), option=orjson.OPT_INDENT_2).decode().splitlines()

    shown = list(
        difflib.unified_diff(lines(reference), lines(body), "liaison", name, n=2, lineterm="")
    )
    more = f"\n... {len(shown) - 60} more lines" if len(shown) > 60 else ""
    return "\n".join(shown[:60]) + more


def check_bodies(
    running: dict[str, servers.Server], requests: dict[tuple[str, int], load.Request],
    pages: list[int], enterprises: int,
) -> dict[int, bytes]:  # fmt: skip
    """One page from every variant, byte for byte against Liaison's; aborts with a diff."""
    checked = {}
    with httpx.Client(timeout=120) as client:
        for page in pages:
            bodies = {name: _fetch(client, s, requests[name, page]) for name, s in running.items()}
            reference = bodies.get("liaison") or next(iter(bodies.values()))
            parsed = orjson.loads(reference)
            if "errors" in parsed:
                raise SystemExit(f"the page of {page} carries errors:\n{parsed['errors']}")
            edges = parsed["data"]["enterprises"]["edges"]
            if len(edges) != min(page, enterprises):
                raise SystemExit(f"the page of {page} holds {len(edges)} enterprises")
            for name, body in bodies.items():
                if body == reference:
                    continue
                canonical = orjson.OPT_SORT_KEYS
                if orjson.dumps(orjson.loads(body), option=canonical) == orjson.dumps(
                    parsed, option=canonical
                ):
                    print(f"  note: {name} orders keys differently from liaison (page {page})")
                    continue
                raise SystemExit(
                    f"{name} and liaison return different pages of {page}:\n"
                    + _diff(name, body, reference)
                )
            checked[page] = reference
            print(f"  page {page}: {len(reference):,} bytes, identical from {', '.join(bodies)}")
    return checked


def measure(
    server: servers.Server, request: load.Request, body: bytes, *, options: argparse.Namespace,
    tool: str, postmaster: int | None, workdir: Path,
) -> dict[str, Any]:  # fmt: skip
    def generate(seconds: int) -> load.Load:
        return load.run(
            tool, server.port, request, connections=options.connections, seconds=seconds,
            expected_length=len(body), workdir=workdir,
        )  # fmt: skip

    if options.warmup:
        generate(options.warmup)
        time.sleep(0.3)  # the warm-up's last requests finish outside the window
    cpu_before = proc.cpu_seconds(server.pid)
    db_before = proc.tree_cpu_seconds(postmaster) if postmaster else None
    busy_before = proc.machine_busy_seconds()
    children_before = _children_cpu()
    result = generate(options.duration)
    cpu = proc.cpu_seconds(server.pid) - cpu_before
    db_cpu = None if db_before is None else proc.tree_cpu_seconds(postmaster or 0) - db_before
    loadgen_cpu = _children_cpu() - children_before
    busy = proc.machine_busy_seconds() - busy_before
    # Whatever else ran on the machine meanwhile: a noisy neighbour shows up here.
    others = max(0.0, busy - cpu - (db_cpu or 0.0) - loadgen_cpu)

    def per_request(seconds: float | None) -> float | None:
        if seconds is None or not result.requests:
            return None
        return round(seconds * 1000 / result.requests, 4)

    return {
        "requests": result.requests,
        "seconds": round(result.seconds, 3),
        "rps": round(result.rate, 2),
        "latency_p50_ms": round(result.latency_ms["p50"], 3),
        "latency_p90_ms": round(result.latency_ms["p90"], 3),
        "latency_p99_ms": round(result.latency_ms["p99"], 3),
        "latency_max_ms": round(result.latency_ms["max"], 3),
        "server_cpu_s": round(cpu, 2),
        "cpu_ms_per_request": per_request(cpu),
        "db_cpu_ms_per_request": per_request(db_cpu),
        "loadgen_cpu_s": round(loadgen_cpu, 2),
        "others_cpu_s": round(others, 2),
        "others_cpu_pct": round(100 * others / result.seconds, 1) if result.seconds else None,
        "errors": result.errors,
        "bad_responses": result.bad_responses,
    }


def _children_cpu() -> float:
    """CPU of the children this process has waited for: the load generator."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _open(
    backend: str, options: argparse.Namespace, workdir: Path
) -> AbstractContextManager[Database]:
    if backend == "sqlite":
        return databases.sqlite(workdir)
    if options.postgres_url:
        return databases.given_postgres(options.postgres_url, workdir)
    return databases.temporary_postgres(workdir)


def bench_backend(
    backend: str, options: argparse.Namespace, tool: str, workdir: Path,
    write: Callable[[dict[str, Any]], None],
) -> None:  # fmt: skip
    with ExitStack() as stack:
        database = stack.enter_context(_open(backend, options, workdir))
        started = time.perf_counter()
        built = databases.build_demo(database, options.enterprises, options.seed)
        print(f"[{backend}] {database.where}: {built.splitlines()[-1] if built else 'built'}")
        print(f"[{backend}] demo built in {time.perf_counter() - started:.1f}s")
        token = databases.mint_token(database, options.caller)
        env = {
            **databases.clean_environment(),
            "LIAISON_DATABASE_URL": database.url,
            "LIAISON_DATA_DIR": str(database.data_dir),
            # A benchmark client resolves far more records a minute than any person: the
            # per-principal budget would answer 429 and the figures would measure refusals.
            "LIAISON_RATE_RECORDS_PER_MINUTE": "0",
            "BENCH_CALLER": options.caller,
        }
        logs = workdir / f"logs-{backend}"
        logs.mkdir()
        running = {}
        for variant in VARIANTS:
            if variant.name in options.variants:
                server = servers.start(
                    variant.name, variant.app, factory=variant.factory, env=env, logs=logs
                )
                stack.callback(servers.stop, server)
                running[variant.name] = server
        for server in running.values():
            servers.wait_until_serving(server)
        requests = {
            (name, page): request_for(name, page, token, options.purpose)
            for name in running
            for page in options.pages
        }
        bodies = check_bodies(running, requests, options.pages, options.enterprises)
        names = list(running)
        for round_number in range(options.rounds):
            order = names[round_number % len(names) :] + names[: round_number % len(names)]
            pages = options.pages if round_number % 2 == 0 else options.pages[::-1]
            for page in pages:
                for position, name in enumerate(order):
                    figures = measure(
                        running[name], requests[name, page], bodies[page], options=options,
                        tool=tool, postmaster=database.postmaster_pid, workdir=workdir,
                    )  # fmt: skip
                    record = {
                        "backend": backend,
                        "variant": name,
                        "page": page,
                        "round": round_number + 1,
                        "position": position + 1,
                        **figures,
                        "body_bytes": len(bodies[page]),
                        "body_sha256": hashlib.sha256(bodies[page]).hexdigest(),
                        "database": database.where,
                        "database_version": database.server_version,
                    }
                    write(record)
                    print(
                        f"[{backend}] round {round_number + 1} page {page:>4} "
                        f"{report.LABELS[name]:<12} {figures['rps']:>9,.1f} req/s  "
                        f"p50 {figures['latency_p50_ms']:>8.2f} ms  "
                        f"p99 {figures['latency_p99_ms']:>8.2f} ms  "
                        f"CPU {figures['cpu_ms_per_request'] or 0:>7.2f} ms/req  "
                        f"others {figures['others_cpu_pct']:>5.1f}%"
                        + (" BAD RESPONSES" if figures["bad_responses"] else "")
                    )


def _git(*arguments: str) -> str:
    command = ["git", *arguments]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    return done.stdout.strip()


def _versions() -> dict[str, str]:
    names = ("strawberry-graphql", "graphql-core", "starlette", "uvicorn", "sqlalchemy",
             "orjson", "aiosqlite", "asyncpg", "uvloop", "httptools")  # fmt: skip
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _wrk_version() -> str:
    done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)  # noqa: S607
    return (done.stdout or done.stderr).splitlines()[0] if done.stdout or done.stderr else ""


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description="Liaison vs a plain endpoint vs stock strawberry."
    )
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per figure")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each")
    parser.add_argument("--pages", default="100,1000", help="page sizes, comma-separated")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--variants", default="plain,stock,liaison")
    parser.add_argument("--caller", choices=CALLERS, default="customs")
    parser.add_argument("--purpose", default="joint_inspection")
    parser.add_argument("--enterprises", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("LIAISON_DATABASE_URL", "") if os.environ.get(
            "LIAISON_DATABASE_URL", ""
        ).startswith("postgresql") else "",
        help="a server to create a scratch database on, instead of a temporary cluster "
        "(default: LIAISON_DATABASE_URL when it is a postgresql:// URL)",
    )  # fmt: skip
    parser.add_argument(
        "--liaison-src",
        type=Path,
        metavar="DIR",
        help="run every variant against the liaison package in DIR (put first on PYTHONPATH), "
        "e.g. a 'git archive' of another commit's src/, to compare two versions",
    )
    parser.add_argument("--output", type=Path, default=None, help="the JSON Lines file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--quick", action="store_true", help="1 round of 2 s, 1 s warm-up: checks the harness"
    )
    parser.add_argument(
        "--report", type=Path, metavar="JSONL", help="print the tables of an earlier run, only"
    )
    options = parser.parse_args(argv)
    if options.quick:
        options.rounds, options.duration, options.warmup = 1, 2, 1
    options.pages = [int(p) for p in options.pages.split(",")]
    options.variants = [v.strip() for v in options.variants.split(",")]
    unknown = set(options.variants) - {v.name for v in VARIANTS}
    if unknown or options.rounds < 1 or options.duration < 1 or options.warmup < 0:
        parser.error(f"bad --variants/--rounds/--duration/--warmup ({sorted(unknown)})")
    if not all(0 < p <= 1000 for p in options.pages):
        parser.error("pages are 1 to 1000 enterprises")
    return options


def main(argv: list[str] | None = None) -> None:
    options = parse(argv)
    if options.report:
        print(report.table(list(_iter_lines(options.report))))
        return
    masks_for(options.caller)  # fails early for a caller the page would withhold from
    tool = load.choose(options.loadgen)
    if options.liaison_src:
        source = options.liaison_src.resolve()
        if not (source / "liaison" / "__init__.py").exists():
            raise SystemExit(f"no liaison package in {source}")
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(source), os.environ.get("PYTHONPATH", "")) if p
        )
    backends = ["sqlite", "postgresql"] if options.database == "both" else [
        "postgresql" if options.database == "postgres" else "sqlite"
    ]  # fmt: skip
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    output = options.output or RESULTS / f"{stamp}.jsonl"
    output.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "run": stamp,
        "commit": _git("rev-parse", "--short", "HEAD"),
        "liaison_src": str(options.liaison_src.resolve()) if options.liaison_src else "installed",
        "tree_modified": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "machine": {
            "cpu": proc.cpu_model(),
            "cores": os.cpu_count(),
            "kernel": platform.release(),
            "python": platform.python_version(),
        },
        "versions": _versions(),
        "loadgen": _wrk_version() if tool == "wrk" else "bench/pyload.py",
        "connections": options.connections,
        "duration_s": options.duration,
        "warmup_s": options.warmup,
        "caller": options.caller,
        "purpose": options.purpose,
        "masked_fields": sorted(masks_for(options.caller)),
        "enterprises": options.enterprises,
        "seed": options.seed,
    }
    per_backend = options.rounds * len(options.pages) * len(options.variants) * (
        options.warmup + options.duration + 1
    )  # fmt: skip
    print(
        f"caller {options.caller} ({'owner' if options.caller == OWNER else 'cross-department'}, "
        f"masked: {', '.join(meta['masked_fields']) or 'none'}), {options.connections} "
        f"connections, {tool}; about {per_backend / 60:.1f} min of load per backend"
    )
    idle_busy = proc.machine_busy_seconds()
    time.sleep(1)
    meta["busy_before_start_pct"] = round(100 * (proc.machine_busy_seconds() - idle_busy), 1)
    if meta["busy_before_start_pct"] > 30:
        print(
            f"WARNING: the machine is {meta['busy_before_start_pct']:.0f}% busy (100% = one core) "
            "before the benchmark starts; figures will be noisy (see the 'other %' column)"
        )
    records: list[dict[str, Any]] = []
    workdir = Path(tempfile.mkdtemp(prefix="liaison-bench-"))

    def write(record: dict[str, Any]) -> None:
        line = {"run": stamp, **record, "meta": meta}
        with output.open("a", encoding="utf-8") as sink:  # a line per figure, as it comes
            sink.write(json.dumps(line, ensure_ascii=False) + "\n")
        records.append(line)

    try:
        for backend in backends:
            bench_backend(backend, options, tool, workdir, write)
    finally:
        if options.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(
        f"{meta['machine']['cpu']}, {meta['machine']['cores']} cores; commit {meta['commit']}"
        f"{' (modified)' if meta['tree_modified'] else ''}"
        + (f", liaison from {meta['liaison_src']}" if options.liaison_src else "")
        + f"; {options.rounds} rounds × "
        f"{options.duration} s; {options.enterprises} enterprises, seed {options.seed}"
    )
    print(report.table(records))
    print(f"\n{output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")


def _iter_lines(path: Path) -> Iterator[dict[str, Any]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            yield json.loads(line)


if __name__ == "__main__":
    main()
