"""Principals of local tokens whose signature and claims have verified, so a client that
sends the same token on every request pays for one ES256 verification, not one each time.

Only verification is remembered: whether the token or its client is revoked is still read
from the database on every request. An entry is used only

- for the very same token string (which fixes every claim and the signature),
- with the same key set it verified under (a key file reloaded by a rotation drops every
  entry verified before it: each is verified again against the keys now held),
- until the token's ``exp`` (after that, verification decides again, leeway included).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from liaison.api.keys import SigningKeys
from liaison.permissions.principal import Principal

CAPACITY = 1024


class VerifiedTokens:
    """A bounded LRU of verified tokens. Not shared between processes: each verifies a
    token once."""

    def __init__(self, capacity: int = CAPACITY, *, clock: Callable[[], float] = time.time) -> None:
        self._capacity = capacity
        self._clock = clock
        self._entries: OrderedDict[str, tuple[Principal, SigningKeys]] = OrderedDict()

    def get(self, token: str, keys: SigningKeys) -> Principal | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        principal, verified_with = entry
        if verified_with is not keys or self._clock() >= principal.expires_at:
            del self._entries[token]
            return None
        self._entries.move_to_end(token)
        return principal

    def put(self, token: str, keys: SigningKeys, principal: Principal) -> None:
        self._entries[token] = (principal, keys)
        self._entries.move_to_end(token)
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
