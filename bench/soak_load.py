"""The soak test's clients: N concurrent clients on one loopback server, each sending a mix
of what departments' systems send — pages, lookups, nested reads, mutations and auditors'
questions — with a request id of its own, for a fixed time. Every answer is kept (kind,
status, latency, whether it carried data) so that afterwards each one that released another
department's data can be matched with its audit event.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bench.loopback_http import Connection, HTTPFailure

# kind, weight, caller, query (a template: {uscc}, {n}), whether an answer with data must
# have an audit event (another department's data, or a write)
WORKLOAD: tuple[tuple[str, int, str, str, bool], ...] = (
    (
        "page",
        40,
        "emergency",
        "{ dangerousChemicalEntries(first: 50) { edges { node { id chemicalName casNumber "
        "quantity unit storageLocation } } } }",
        True,
    ),
    (
        "lookup",
        20,
        "customs",
        '{ enterprise(uscc: "{uscc}") { uscc name zone status industry } }',
        True,
    ),
    (
        "nested",
        15,
        "park",
        "{ enterprises(first: 20) { edges { node { uscc zone risks { category level status } "
        "lifecycle { kind effectiveOn } } } } }",
        True,
    ),
    (
        "own",
        10,
        "market",
        "{ enterprises(first: 100) { edges { node { uscc name zone address status } } } }",
        False,
    ),
    (
        "mutation",
        10,
        "emergency",
        'mutation { reportRisk(input: {uscc: "{uscc}", category: "soak", description: '
        '"soak test finding {n}", level: GENERAL, foundOn: "2026-11-30", '
        'rectificationDeadline: "2027-01-31", supervisingDepartment: "emergency"}) '
        "{ risk { id } errors { message } } }",
        True,
    ),
    (
        "accessLog",
        5,
        "customs",
        "{ accessLog(first: 20) { edges { node { seq outcome department } } } }",
        False,
    ),
)
ROLES = {"mutation": ("reader", "contributor"), "accessLog": ("auditor",)}

HOSTILE: tuple[tuple[str, str], ...] = (
    (
        "deep",
        "{ enterprises { edges { node { risks { enterprise { risks { enterprise { "
        "risks { enterprise { uscc } } } } } } } } } }",
    ),
    ("aliases", "{ " + " ".join(f"a{n}: me {{ department }}" for n in range(200)) + " }"),
    ("wide", "{ " + " ".join(f"f{n}: __typename" for n in range(1500)) + " }"),
    ("large", "{ me { department } }" + " " * 900_000),
)


@dataclass(frozen=True, slots=True)
class Answer:
    kind: str
    request_id: str
    status: int  # 0: no HTTP answer (connection refused or reset)
    seconds: float
    started: float  # since the run started
    with_data: bool
    audited: bool  # an answer with data must have an audit event
    code: str | None  # the first error's code


@dataclass
class Run:
    label: str
    answers: list[Answer] = field(default_factory=list)
    hostile: list[Answer] = field(default_factory=list)
    seconds: float = 0.0


def _first_code(body: Any) -> str | None:
    if isinstance(body, dict) and body.get("errors"):
        return str((body["errors"][0].get("extensions") or {}).get("code"))
    return None


async def _ask(
    connection: Connection,
    started: float,
    kind: str,
    request_id: str,
    token: str,
    query: str,
    audited: bool,
    into: list[Answer],
) -> None:
    headers = {
        "Authorization": f"Bearer {token}",
        "Liaison-Purpose": "joint_inspection",
        "X-Request-ID": request_id,
    }
    begun = time.perf_counter()
    status, with_data, code = 0, False, None
    try:
        reply = await connection.post_json("/graphql", {"query": query}, headers)
        status = reply.status
        try:
            body = reply.json()
        except ValueError:
            body = None
        data = body.get("data") if isinstance(body, dict) else None
        with_data = (
            status == 200
            and isinstance(data, dict)
            and bool(data)
            and all(v is not None for v in data.values())
        )
        code = _first_code(body)
    except HTTPFailure as failure:
        code = str(failure)
    into.append(
        Answer(
            kind,
            request_id,
            status,
            time.perf_counter() - begun,
            begun - started,
            with_data,
            audited,
            code,
        )
    )


async def run_load(
    base_url: str,
    tokens: Callable[[str, tuple[str, ...]], str],
    usccs: list[str],
    *,
    label: str,
    clients: int,
    seconds: float,
    hostile_per_second: float = 0.0,
    during: Callable[[], Any] | None = None,
) -> Run:
    """``clients`` concurrent clients for ``seconds``; ``during`` (a coroutine function)
    runs alongside, e.g. a fault injected a few seconds in."""
    run = Run(label)
    # Tokens first: minting them is not part of the load.
    resolved = {(caller, ROLES.get(kind, ("reader",))) for kind, _, caller, _, _ in WORKLOAD}
    token_of = {key: tokens(*key) for key in resolved}
    weights = [w for _, w, _, _, _ in WORKLOAD]
    counter = itertools.count(1)
    started = time.perf_counter()
    deadline = started + seconds
    rng = random.Random(f"{label}-soak")
    address = urlsplit(base_url)
    host, port = address.hostname or "127.0.0.1", address.port or 80

    async def one_client() -> None:
        connection = Connection(host, port)
        try:
            while time.perf_counter() < deadline:
                kind, _, caller, template, audited = rng.choices(WORKLOAD, weights)[0]
                n = next(counter)
                query = template.replace("{uscc}", rng.choice(usccs)).replace("{n}", str(n))
                token = token_of[(caller, ROLES.get(kind, ("reader",)))]
                await _ask(
                    connection,
                    started,
                    kind,
                    f"soak-{label}-{n}",
                    token,
                    query,
                    audited,
                    run.answers,
                )
                if run.answers[-1].status == 0:
                    await asyncio.sleep(0.05)  # no server there: try again, not spin
        finally:
            await connection.close()

    async def hostile() -> None:
        connection = Connection(host, port)
        token = token_of[("customs", ("reader",))]
        try:
            for n in itertools.count():
                at = started + n / hostile_per_second
                if at >= deadline:
                    return
                await asyncio.sleep(max(0.0, at - time.perf_counter()))
                kind, query = HOSTILE[n % len(HOSTILE)]
                await _ask(
                    connection,
                    started,
                    kind,
                    f"soak-{label}-hostile-{n}",
                    token,
                    query,
                    False,
                    run.hostile,
                )
        finally:
            await connection.close()

    tasks = [asyncio.create_task(one_client()) for _ in range(clients)]
    if hostile_per_second > 0:
        tasks.append(asyncio.create_task(hostile()))
    if during is not None:
        tasks.append(asyncio.create_task(during()))
    await asyncio.gather(*tasks)
    run.seconds = time.perf_counter() - started
    return run


@dataclass(frozen=True)
class Figures:
    requests: int
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    server_errors: int  # 5xx other than 503
    unavailable: int  # 503: the database (or the audit trail in it) could not be reached
    unanswered: int  # no HTTP answer at all
    by_status: dict[int, int]
    # kind: (answers, p50 ms, p95 ms): which requests make the tail
    by_kind: dict[str, tuple[int, float, float]]


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def figures(answers: list[Answer], seconds: float) -> Figures:
    latencies = [a.seconds * 1000 for a in answers if a.status]
    by_status: dict[int, int] = {}
    for answer in answers:
        by_status[answer.status] = by_status.get(answer.status, 0) + 1
    return Figures(
        requests=len(answers),
        per_second=len(answers) / seconds if seconds else 0.0,
        p50_ms=_percentile(latencies, 0.50),
        p95_ms=_percentile(latencies, 0.95),
        p99_ms=_percentile(latencies, 0.99),
        server_errors=sum(n for s, n in by_status.items() if s >= 500 and s != 503),
        unavailable=by_status.get(503, 0),
        unanswered=by_status.get(0, 0),
        by_status=dict(sorted(by_status.items())),
        by_kind={
            kind: (len(of_kind), _percentile(of_kind, 0.50), _percentile(of_kind, 0.95))
            for kind in sorted({a.kind for a in answers})
            if (of_kind := [a.seconds * 1000 for a in answers if a.kind == kind and a.status])
        },
    )


def outage(answers: list[Answer]) -> tuple[float, float] | None:
    """(first failure, first success after the last failure), in seconds since the run
    started: how long clients saw failures, and when service came back."""
    failed = [a for a in answers if a.status != 200 and a.kind in {k for k, *_ in WORKLOAD}]
    if not failed:
        return None
    first = min(a.started for a in failed)
    last = max(a.started + a.seconds for a in failed)
    back = [a.started for a in answers if a.status == 200 and a.started >= last]
    return first, (min(back) if back else float("inf"))
