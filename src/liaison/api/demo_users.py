"""The demo's people: for each of the five demo departments an inspector (reader and
contributor), a steward (steward and reader) and an auditor, and one platform admin.
Every password is ``<username>-demo-pass`` — obviously a demo, never for a real database."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from liaison.api.passwords import hash_password
from liaison.db import people

DEMO_DEPARTMENTS: Final = ("customs", "emergency", "market", "park", "ecology")
DEMO_PASSWORD_SUFFIX: Final = "-demo-pass"  # noqa: S105 - the documented demo pattern
# (username suffix, display name, roles)
_PER_DEPARTMENT: Final = (
    ("inspector", "Inspector", ("reader", "contributor")),
    ("steward", "Steward", ("steward", "reader")),
    ("auditor", "Auditor", ("auditor",)),
)
# The platform administrator needs a department like anyone: the registry's.
ADMIN: Final = ("admin", "Platform administrator", "market", ("admin",))


def demo_users() -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(username, display name, department, roles) of every demo user."""
    found = [
        (f"{code}.{suffix}", f"{code} {title}", code, roles)
        for code in DEMO_DEPARTMENTS
        for suffix, title, roles in _PER_DEPARTMENT
    ]
    return [*found, ADMIN]


def demo_password(username: str) -> str:
    return username + DEMO_PASSWORD_SUFFIX


async def add_demo_users(session: AsyncSession) -> int:
    """Adds every demo user; returns how many. argon2 is slow on purpose, so the hashes
    are computed two at a time."""
    listed = demo_users()
    with ThreadPoolExecutor(max_workers=2) as pool:
        hashes = list(pool.map(hash_password, (demo_password(u[0]) for u in listed)))
    now = dt.datetime.now(dt.UTC)
    for (username, name, department, roles), password_hash in zip(listed, hashes, strict=True):
        await people.add_user(
            session,
            username=username,
            display_name=name,
            department=department,
            roles=roles,
            password_hash=password_hash,
            now=now,
        )
    return len(listed)
