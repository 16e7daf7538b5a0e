"""Identity tables: the embedded issuer's registered clients, and revocations.

Created by migration 0003. Department codes are stored as codes, not foreign keys: a
client or a revocation must never block (or be cascaded away by) a change to departments.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.models import Base

# External principals' identifiers are "<issuer name>:<value>" (name up to 32 characters,
# value up to 255), local ones are shorter: 320 holds either.
IDENTIFIER_LENGTH = 320


class OAuthClient(Base):
    """A client of the embedded issuer (OAuth 2 client credentials).

    Security contract: ``secret_hash`` is a salted scrypt hash (see ``api.oauth``); the
    secret itself is shown once by ``liaison clients add`` and never stored.
    """

    __tablename__ = "oauth_client"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(32))
    roles: Mapped[list[Any]] = mapped_column(JSON)
    secret_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class RevokedToken(Base):
    """An access token refused by its ``jti`` until ``expires_at`` (then it is purgeable:
    the token has expired and is refused anyway)."""

    __tablename__ = "revoked_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jti: Mapped[str] = mapped_column(String(IDENTIFIER_LENGTH), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    revoked_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    reason: Mapped[str | None] = mapped_column(String(200))


class RevokedClient(Base):
    """Every access token naming this ``client_id`` is refused, whenever it was issued."""

    __tablename__ = "revoked_client"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(IDENTIFIER_LENGTH), unique=True)
    revoked_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    reason: Mapped[str | None] = mapped_column(String(200))
