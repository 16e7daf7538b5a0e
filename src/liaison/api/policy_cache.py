"""Compiled policies, cached per process and recompiled when any process changes an
agreement or opens, acknowledges or closes an incident (the policy epoch moves), or a grant
starts or stops applying (exact expiry)."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db.agreements import load_grant_terms, policy_epoch
from liaison.db.directory import load_directory
from liaison.db.incidents import load_open_incidents
from liaison.db.scope import Directory, RowAccess
from liaison.permissions.incident_access import OpenIncident
from liaison.permissions.policy import CompiledPolicy, GrantTerms, compile_policy


@dataclass(frozen=True)
class _Snapshot:
    epoch: int
    directory: Directory
    terms: tuple[GrantTerms, ...]
    incidents: dict[str, OpenIncident]  # open incidents by reference


class PolicyCache:
    def __init__(self) -> None:
        self._snapshot: _Snapshot | None = None
        # (consumer, purpose, the open incident its case names and it may act in, if any)
        self._compiled: dict[tuple[str, str | None, str | None], CompiledPolicy] = {}
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
                    incidents=await load_open_incidents(session),
                )
                self._snapshot, self._compiled = snapshot, {}
        return snapshot

    async def access(
        self,
        session: AsyncSession,
        *,
        consumer: str,
        purpose: str | None,
        case_reference: str | None = None,
        epoch: int | None = None,
    ) -> tuple[RowAccess, tuple[GrantTerms, ...]]:
        """The caller's row access for this request, and every grant to it in force now
        (whatever its purpose). ``case_reference``: the request's ``Liaison-Case``, which
        may name an open incident the caller acknowledged (grants ``during: incident``
        then apply). ``epoch``: the policy epoch this transaction has already read, if it
        has (otherwise it is read here)."""
        snapshot = await self._current(session, epoch)
        now = dt.datetime.now(dt.UTC)
        incident = snapshot.incidents.get(case_reference) if case_reference else None
        if incident is not None and not incident.admits(consumer, purpose):
            incident = None  # so that every other case shares the plain compilation
        key = (consumer, purpose, incident.reference if incident else None)
        policy = self._compiled.get(key)
        if policy is None or not policy.fresh(now):
            policy = compile_policy(
                snapshot.terms, consumer=consumer, purpose=purpose, now=now, incident=incident
            )
            self._compiled[key] = policy
        in_force = tuple(t for t in snapshot.terms if t.consumer == consumer and t.in_force(now))
        return RowAccess(policy=policy, directory=snapshot.directory), in_force
