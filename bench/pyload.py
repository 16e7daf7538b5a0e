"""A small HTTP/1.1 load generator for when wrk is not installed: N keep-alive connections
to 127.0.0.1, each sending the same request back to back for a fixed time.

    python bench/pyload.py --port 8000 --request request.http --connections 4 --seconds 10 \\
        --expected-length 365474

Prints one line, ``BENCH_RESULT {json}``, in the same form as the wrk script of load.py.
It costs more CPU per request than wrk, on the same cores as the server: prefer wrk.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path


class Tally:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors = 0
        self.bad = 0


async def _client(port: int, request: bytes, expected: int, until: float, tally: Tally) -> None:
    reader = writer = None
    while time.perf_counter() < until:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            assert reader is not None
            started = time.perf_counter()
            writer.write(request)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            status = int(status_line.split()[1])
            length = 0
            for line in header_lines:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            body = await asyncio.wait_for(reader.readexactly(length), 60)
            if time.perf_counter() > until:
                break  # finished after the end: not counted, as wrk does
            tally.latencies.append(time.perf_counter() - started)
            if status >= 400:
                tally.errors += 1
            if status != 200 or len(body) != expected:
                tally.bad += 1
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            tally.errors += 1
            if writer is not None:
                writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def _percentile(ordered: list[float], share: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _main(arguments: argparse.Namespace, request: bytes) -> None:
    tally = Tally()
    started = time.perf_counter()
    until = started + arguments.seconds
    await asyncio.gather(
        *(
            _client(arguments.port, request, arguments.expected_length, until, tally)
            for _ in range(arguments.connections)
        )
    )
    elapsed = min(time.perf_counter(), until) - started
    ordered = sorted(tally.latencies)
    micro = [x * 1e6 for x in ordered]
    summary = {
        "requests": len(ordered),
        "duration_us": int(elapsed * 1e6),
        "errors": tally.errors,
        "bad_responses": tally.bad,
        "latency_us": {
            "p50": _percentile(micro, 0.50),
            "p90": _percentile(micro, 0.90),
            "p99": _percentile(micro, 0.99),
            "max": micro[-1] if micro else 0.0,
            "mean": sum(micro) / len(micro) if micro else 0.0,
        },
    }
    print("BENCH_RESULT " + json.dumps(summary), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--request", required=True, help="a file holding the raw HTTP request")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--expected-length", type=int, required=True)
    arguments = parser.parse_args()
    try:
        from uvloop import run
    except ImportError:
        from asyncio import run  # type: ignore[assignment]
    run(_main(arguments, Path(arguments.request).read_bytes()))


if __name__ == "__main__":
    main()
