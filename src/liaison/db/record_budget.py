"""The record budget shared by every server process on one PostgreSQL: one row per
principal (its tokens and when they were last refilled), moved by one statement per sync
for every principal a process has seen since its last sync."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_SYNC = text(
    """
    WITH spent(principal, records) AS (
        SELECT * FROM unnest(CAST(:principals AS TEXT[]), CAST(:records AS FLOAT8[]))
    )
    INSERT INTO record_budget (principal, tokens, updated_at)
    SELECT principal, CAST(:capacity AS FLOAT8) - records, now() FROM spent
    ON CONFLICT (principal) DO UPDATE SET
        tokens = LEAST(
            CAST(:capacity AS FLOAT8),
            record_budget.tokens
                + EXTRACT(EPOCH FROM now() - record_budget.updated_at) * CAST(:per_second AS FLOAT8)
        ) - (CAST(:capacity AS FLOAT8) - EXCLUDED.tokens),
        updated_at = now()
    RETURNING principal, tokens
    """
)


async def sync_spending(
    session: AsyncSession, spent: Mapping[str, float], *, capacity: float, per_second: float
) -> dict[str, float]:
    """Charges each principal's records spent here since the last sync to the shared
    budget (refilled first, capped at ``capacity``) and returns what each has left, which
    includes what other processes spent. The caller commits."""
    if not spent:
        return {}
    principals = sorted(spent)
    rows = await session.execute(
        _SYNC,
        {
            "principals": principals,
            "records": [float(spent[p]) for p in principals],
            "capacity": capacity,
            "per_second": per_second,
        },
    )
    return {str(principal): float(tokens) for principal, tokens in rows}


_LEFT = text(
    """
    SELECT LEAST(
        CAST(:capacity AS FLOAT8),
        tokens + EXTRACT(EPOCH FROM now() - updated_at) * CAST(:per_second AS FLOAT8)
    )
    FROM record_budget WHERE principal = :principal
    """
)


async def shared_left(
    session: AsyncSession, principal: str, *, capacity: float, per_second: float
) -> float | None:
    """What the shared budget has left for ``principal`` now (None: it never spent)."""
    left = await session.scalar(
        _LEFT, {"principal": principal, "capacity": capacity, "per_second": per_second}
    )
    return None if left is None else float(left)
