"""Failed sign-ins, limited per account and per client address over a sliding window,
counted in the database (``login_failure``) so every server process sees the same counts.
Checked before any password is hashed: a refused attempt costs two index range scans."""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from liaison.api.config import SignInSettings
from liaison.db import people


def client_address(request: Request, trusted_proxies: Iterable[str]) -> str:
    """The socket peer, unless it is a configured proxy: then the address that proxy
    appended to ``X-Forwarded-For`` (the last entry; earlier ones are the client's word)."""
    peer = request.client.host if request.client else "unknown"
    if peer not in set(trusted_proxies):
        return peer
    forwarded = request.headers.getlist("x-forwarded-for")
    last = forwarded[-1].split(",")[-1].strip() if forwarded else ""
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return peer


@dataclass(frozen=True)
class LoginLimits:
    per_account: int
    per_address: int
    window: dt.timedelta

    @classmethod
    def of(cls, settings: SignInSettings) -> LoginLimits:
        return cls(
            per_account=settings.failures_per_account,
            per_address=settings.failures_per_address,
            window=dt.timedelta(seconds=settings.failure_window_seconds),
        )

    async def retry_after(
        self, session: AsyncSession, *, username: str, address: str, now: dt.datetime
    ) -> int | None:
        """Seconds until one more attempt is allowed, or None when it is allowed now."""
        counts = await people.failure_counts(
            session, username=username, address=address, since=now - self.window
        )
        waits = []
        if counts.account >= self.per_account and counts.oldest_account is not None:
            waits.append(counts.oldest_account + self.window - now)
        if counts.address >= self.per_address and counts.oldest_address is not None:
            waits.append(counts.oldest_address + self.window - now)
        if not waits:
            return None
        return max(1, math.ceil(max(waits).total_seconds()))

    async def record(
        self, session: AsyncSession, *, username: str, address: str, now: dt.datetime
    ) -> None:
        await people.record_failure(
            session, username=username, address=address, now=now, keep=self.window
        )
