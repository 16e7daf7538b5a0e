"""A lean HTTP/1.1 client for the load generator: one keep-alive connection per simulated
client, a POST of a JSON body, the answer read by its Content-Length.

Why not httpx: on the 2-core machine the load generator shares the cores with the servers
and PostgreSQL it measures, and httpx's client spent about 2.3 ms of CPU per request (a
fifth of what the servers spent), time the servers then waited for. This client does the
least HTTP/1.1 that uvicorn needs, and nothing else: no redirects, no chunked bodies, no
TLS, loopback only.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

import orjson


class HTTPFailure(Exception):
    """No complete HTTP answer: refused, reset, cut short or timed out."""


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)


class Connection:
    """One keep-alive connection to ``host:port``, opened when first needed and again
    after a failure."""

    def __init__(self, host: str, port: int, *, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post_json(self, path: str, body: Any, headers: dict[str, str]) -> Reply:
        try:
            return await asyncio.wait_for(self._exchange(path, body, headers), self.timeout)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
            await self.close()
            raise HTTPFailure(type(error).__name__) from error

    async def _exchange(self, path: str, body: Any, headers: dict[str, str]) -> Reply:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        payload = orjson.dumps(body)
        head = [
            f"POST {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Content-Type: application/json",
            f"Content-Length: {len(payload)}",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        self._writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload)
        status_line = await self._reader.readuntil(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        length, closing = 0, False
        while (line := await self._reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                closing = True
            elif name == b"transfer-encoding":
                raise ValueError("chunked answers are not read by this client")
        answer = await self._reader.readexactly(length)
        if closing:
            await self.close()
        return Reply(status, answer)

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
