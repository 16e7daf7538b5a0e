"""The load generator, always a separate process: wrk with a Lua script when it is
installed (Debian: ``apt-get install wrk``), else ``bench/pyload.py``. Both keep N
connections alive, send the same request back to back, and check every response's status
and length against the body verified before measuring."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MARKER = "BENCH_RESULT "

_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) expected = tonumber(args[1]); bad = 0 end
function response(status, headers, body)
  if status ~= 200 or #body ~= expected then bad = bad + 1 end
end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  local e = summary.errors
  io.write(string.format(
    '%s{"requests": %d, "duration_us": %d, "errors": %d, "bad_responses": %d, '
    .. '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\\n',
    "MARKER", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout, b,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
""".replace("MARKER", MARKER)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""

    def raw(self, port: int) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
        lines += [f"{k}: {v}" for k, v in self.headers.items()]
        if self.body or self.method == "POST":
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    errors: int  # socket errors, timeouts, non-2xx
    bad_responses: int  # not 200, or not the length of the body checked before measuring
    latency_ms: dict[str, float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def choose(tool: str) -> str:
    if tool == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if tool == "wrk" and not shutil.which("wrk"):
        raise RuntimeError(
            "wrk is not installed (Debian: apt-get install wrk); use --loadgen python"
        )
    return tool


def _lua_string(data: bytes) -> str:
    return (
        '"'
        + "".join(chr(b) if 32 <= b < 127 and b not in b'"\\' else f"\\{b:03d}" for b in data)
        + '"'
    )


def _wrk_script(request: Request) -> str:
    lines = [f'wrk.method = "{request.method}"', f"wrk.body = {_lua_string(request.body)}"]
    lines += [f"wrk.headers[{_lua_string(k.encode())}] = {_lua_string(v.encode())}"
              for k, v in request.headers.items()]  # fmt: skip
    return "\n".join(lines) + _LUA


def run(
    tool: str,
    port: int,
    request: Request,
    *,
    connections: int,
    seconds: int,
    expected_length: int,
    workdir: Path,
) -> Load:
    if tool == "wrk":
        script = workdir / "request.lua"
        script.write_text(_wrk_script(request))
        command = [
            "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s", "--latency",
            "-s", str(script), f"http://127.0.0.1:{port}{request.path}", "--", str(expected_length),
        ]  # fmt: skip
    else:
        raw = workdir / "request.http"
        raw.write_bytes(request.raw(port))
        command = [
            sys.executable, str(Path(__file__).with_name("pyload.py")),
            "--port", str(port), "--request", str(raw), "--connections", str(connections),
            "--seconds", str(seconds), "--expected-length", str(expected_length),
        ]  # fmt: skip
    done = subprocess.run(  # noqa: S603 - a fixed tool and our own arguments
        command, capture_output=True, text=True, check=False, timeout=seconds + 120
    )
    found = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
    if done.returncode != 0 or not found:
        raise RuntimeError(f"{tool} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    summary = json.loads(found[-1].removeprefix(MARKER))
    return Load(
        requests=summary["requests"],
        seconds=summary["duration_us"] / 1e6,
        errors=summary["errors"],
        bad_responses=summary["bad_responses"],
        latency_ms={k: v / 1000 for k, v in summary["latency_us"].items()},
    )
