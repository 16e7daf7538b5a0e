"""People who sign in to the console, and what their sign-ins leave behind: authorization
codes, refresh token families and failed attempts (migration 0007).

Every secret is stored as its SHA-256 (codes and refresh tokens are 256 random bits, so a
plain digest is enough to make a stolen table useless) or, for passwords, as an argon2id
hash. Department codes are stored as codes, as ``oauth_client`` does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.models import Base

USERNAME_LENGTH = 64
DIGEST_LENGTH = 64  # SHA-256, hex


class UserAccount(Base):
    """A person of one department. Named ``user_account``, not ``user``: ``user`` is a
    reserved word in PostgreSQL (``SELECT * FROM user`` answers the session's role name).

    Security contract: ``password_hash`` is an argon2id hash (see ``api.passwords``); the
    password itself is never stored or logged."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_LENGTH), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(32))
    roles: Mapped[list[Any]] = mapped_column(JSON)
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    password_changed_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class AuthorizationCode(Base):
    """An authorization code (RFC 6749 §4.1), single use, bound to its client, redirect URI,
    PKCE challenge and user. ``family_id`` is the refresh family its exchange started, so
    a second exchange can revoke what the first one issued (§4.1.2)."""

    __tablename__ = "authorization_code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(DIGEST_LENGTH), unique=True)
    client_id: Mapped[str] = mapped_column(String(64))
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(8))
    scope: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    family_id: Mapped[int | None] = mapped_column(ForeignKey("refresh_family.id"))


class RefreshFamily(Base):
    """One sign-in: every refresh token rotated from one authorization code. Revoking the
    family (log-out, reuse of a rotated-out token, a disabled user) ends the sign-in."""

    __tablename__ = "refresh_family"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    roles: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    absolute_expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(64))


class RefreshToken(Base):
    """A refresh token of a family, and the access token issued with it: every access token
    a person holds was issued with one of these, so revoking a family can also revoke each
    of its access tokens that has not expired yet (by jti, in ``revoked_token``)."""

    __tablename__ = "refresh_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(DIGEST_LENGTH), unique=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("refresh_family.id"), index=True)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    idle_expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # Set when a newer token replaced this one: presenting it again is reuse.
    rotated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    access_jti: Mapped[str] = mapped_column(String(64), index=True)
    access_expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class LoginFailure(Base):
    """A failed sign-in, counted per attempted username and per client address over a
    sliding window (``api.login_limits``). Shared through the database, so every server
    process counts the same failures."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_username_at", "username", "occurred_at"),
        Index("ix_login_failure_address_at", "address", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    username: Mapped[str] = mapped_column(String(USERNAME_LENGTH))
    address: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
