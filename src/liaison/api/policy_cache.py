"""Compiled policies, cached per process and recompiled when any process changes an
agreement (the policy epoch moves) or a grant starts or stops applying (exact expiry)."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db.agreements import load_grant_terms, policy_epoch
from liaison.db.directory import load_directory
from liaison.db.scope import Directory, RowAccess
from liaison.permissions.policy import CompiledPolicy, GrantTerms, compile_policy


@dataclass(frozen=True)
class _Snapshot:
    epoch: int
    directory: Directory
    terms: tuple[GrantTerms, ...]


class PolicyCache:
    def __init__(self) -> None:
        self._snapshot: _Snapshot | None = None
        self._compiled: dict[tuple[str, str | None], CompiledPolicy] = {}
        self._lock = asyncio.Lock()

    async def _current(self, session: AsyncSession, epoch: int | None) -> _Snapshot:
        if epoch is None:
            epoch = await policy_epoch(session)
        snapshot = self._snapshot
        if snapshot is None or snapshot.epoch != epoch:
            async with self._lock:
                snapshot = _Snapshot(
                    epoch=epoch,
                    directory=await load_directory(session),
                    terms=tuple(await load_grant_terms(session)),
                )
                self._snapshot, self._compiled = snapshot, {}
        return snapshot

    async def access(
        self,
        session: AsyncSession,
        *,
        consumer: str,
        purpose: str | None,
        epoch: int | None = None,
    ) -> tuple[RowAccess, tuple[GrantTerms, ...]]:
        """The caller's row access for this request, and every grant to it in force now
        (whatever its purpose). ``epoch``: the policy epoch this transaction has already
        read, if it has (otherwise it is read here)."""
        snapshot = await self._current(session, epoch)
        now = dt.datetime.now(dt.UTC)
        policy = self._compiled.get((consumer, purpose))
        if policy is None or not policy.fresh(now):
            policy = compile_policy(snapshot.terms, consumer=consumer, purpose=purpose, now=now)
            self._compiled[(consumer, purpose)] = policy
        in_force = tuple(t for t in snapshot.terms if t.consumer == consumer and t.in_force(now))
        return RowAccess(policy=policy, directory=snapshot.directory), in_force
