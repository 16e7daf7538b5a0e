"""What a request reads before anything else, in one statement (one round trip): the
policy epoch (has any process changed an agreement?) and whether the caller's token or
client is revoked. Read in the request's own transaction, on every request: nothing here
is cached, so a revocation or an agreement change by any process is seen by the next
request."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models
from liaison.db.identity import Revoked
from liaison.db.identity_models import RevokedClient, RevokedToken


@dataclass(frozen=True, slots=True)
class RequestState:
    policy_epoch: int
    revoked: Revoked | None


_REVOKED = (
    union_all(
        select(literal(Revoked.TOKEN.value).label("kind")).where(
            RevokedToken.jti == bindparam("jti")
        ),
        select(literal(Revoked.CLIENT.value).label("kind")).where(
            RevokedClient.client_id == bindparam("client_id")
        ),
    )
    .limit(1)
    .scalar_subquery()
)
_EPOCH = select(models.PolicyEpoch.epoch).where(models.PolicyEpoch.id == 1).scalar_subquery()
# Built once: per request only the two parameters change (two unique-index probes and a
# primary-key read).
_STATEMENT = select(_EPOCH.label("epoch"), _REVOKED.label("revoked"))


async def read_request_state(session: AsyncSession, *, jti: str, client_id: str) -> RequestState:
    connection = await session.connection()
    epoch, revoked = (
        await connection.execute(_STATEMENT, {"jti": jti, "client_id": client_id})
    ).one()
    return RequestState(
        policy_epoch=int(epoch or 0), revoked=None if revoked is None else Revoked(revoked)
    )
