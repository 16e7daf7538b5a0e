"""People's passwords: argon2id (argon2-cffi's defaults, RFC 9106's second recommended
parameter set: 64 MiB, 3 passes, 4 lanes), at least 12 characters."""

from __future__ import annotations

import functools
import secrets
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH: Final = 12
# Longer inputs are refused before hashing, so one request cannot make argon2 chew on
# megabytes.
MAX_PASSWORD_LENGTH: Final = 256

_HASHER: Final = PasswordHasher()


class PasswordRejected(ValueError):
    """A new password that does not meet the rules; the message says which."""


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRejected(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordRejected(f"a password may have at most {MAX_PASSWORD_LENGTH} characters")
    if password != password.strip():
        raise PasswordRejected("a password must not begin or end with white space")


def hash_password(password: str) -> str:
    """Raises PasswordRejected for a password the rules refuse."""
    check_new_password(password)
    return _HASHER.hash(password)


def verify_password(password: str, encoded: str | None) -> bool:
    """Constant work whether or not there is a hash: without one (an unknown user), a hash
    no password matches is checked, so response time does not tell who exists."""
    if len(password) > MAX_PASSWORD_LENGTH:
        password = password[:MAX_PASSWORD_LENGTH]
        encoded = None
    try:
        return _HASHER.verify(encoded or _no_password(), password) and encoded is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(encoded: str) -> bool:
    try:
        return _HASHER.check_needs_rehash(encoded)
    except InvalidHashError:
        return False


@functools.cache
def _no_password() -> str:
    return _HASHER.hash(secrets.token_urlsafe(32))
