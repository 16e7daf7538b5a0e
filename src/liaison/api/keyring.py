"""The local signing keys as the key file holds them now, so that ``liaison keys rotate`` in
one process reaches every server process sharing the data directory without a restart."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from liaison.api.keys import KEY_FILE_NAME, KeyFileError, SigningKeys

log = logging.getLogger("liaison.keys")

CHECK_INTERVAL_SECONDS = 5.0
UNKNOWN_KID_COOLDOWN_SECONDS = 1.0


class KeyRing:
    """Holds the current ``SigningKeys`` and reloads them when the key file changes.

    - ``current()`` stats the key file at most every ``check_interval`` seconds and reloads
      it when it changed (a rotation): new tokens are signed with the new key within that
      interval, and old keys stay for verification because rotation keeps them.
    - ``reload_for_unknown_kid()`` re-reads the file at once, at most once per
      ``unknown_kid_cooldown`` seconds, so a token signed by a key rotated in a moment ago
      verifies on its first request, while a flood of made-up kids costs one small file
      read per second.
    - A key file that became unreadable or vanished is logged and the keys already held are
      kept: a broken rotation never takes the server's keys away.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        check_interval: float = CHECK_INTERVAL_SECONDS,
        unknown_kid_cooldown: float = UNKNOWN_KID_COOLDOWN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._data_dir = data_dir
        self._path = data_dir / KEY_FILE_NAME
        self._check_interval = check_interval
        self._unknown_kid_cooldown = unknown_kid_cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._keys = SigningKeys.load_or_create(data_dir)
        self._stamp = self._file_stamp()
        self._checked_at = clock()
        self._forced_at = float("-inf")
        self.reloads = 0

    def current(self) -> SigningKeys:
        now = self._clock()
        if now - self._checked_at >= self._check_interval:
            with self._lock:
                if now - self._checked_at >= self._check_interval:
                    self._checked_at = now
                    if self._file_stamp() != self._stamp:
                        self._reload()
        return self._keys

    def reload_for_unknown_kid(self) -> bool:
        """Re-read the key file unless that was done less than the cool-down ago. Returns
        whether it was read."""
        now = self._clock()
        with self._lock:
            if now - self._forced_at < self._unknown_kid_cooldown:
                return False
            self._forced_at = self._checked_at = now
            self._reload()
            return True

    def _reload(self) -> None:
        stamp = self._file_stamp()
        if stamp is None:  # never mint a fresh key behind the operator's back
            log.error("key file %s is missing; keeping the keys already loaded", self._path)
            return
        try:
            keys = SigningKeys.load_or_create(self._data_dir)
        except KeyFileError:
            log.exception("key file %s is unreadable; keeping the keys already loaded", self._path)
            return
        if keys.kids != self._keys.kids:
            log.info("signing keys reloaded: %s", ", ".join(keys.kids))
            self.reloads += 1
        self._keys, self._stamp = keys, stamp

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            status = os.stat(self._path)
        except FileNotFoundError:
            return None
        return (status.st_ino, status.st_mtime_ns, status.st_size)

    def __repr__(self) -> str:
        return f"KeyRing({self._keys!r})"
