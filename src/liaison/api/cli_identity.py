"""``liaison clients``, ``liaison tokens`` and ``liaison keys``: the embedded issuer's
clients, revocation, and the local signing keys."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.api.cli import _settings, data_dir_option, database_option
from liaison.api.cli_run import run_in_transaction as _run
from liaison.api.config import Settings
from liaison.api.issuers import IssuerConfigError, load_issuers, peek_claims
from liaison.api.keyring import CHECK_INTERVAL_SECONDS
from liaison.api.keys import SigningKeys
from liaison.api.oauth import hash_secret, new_client_id, new_client_secret
from liaison.db import identity, people
from liaison.db.directory import UnknownDepartment
from liaison.permissions.principal import Role

T = TypeVar("T")

# How long a revocation by jti is kept when the token's expiry is not given: longer than
# any token Liaison mints (at most 24 h) and than common identity providers' access tokens.
DEFAULT_REVOCATION_RETENTION = dt.timedelta(days=30)


def _roles(_: click.Context, __: click.Parameter, value: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    known = {role.value for role in Role}
    unknown = [name for name in names if name not in known]
    if not names or unknown:
        raise click.BadParameter(
            f"give a comma-separated list of {', '.join(sorted(known))}"
            + (f" ({unknown[0]!r} is not a role)" if unknown else "")
        )
    return names


# ---------------------------------------------------------------------------------------
# clients


@click.group()
def clients() -> None:
    """Clients of the embedded issuer (OAuth 2 client credentials at /oauth/token)."""


@clients.command("add")
@database_option
@data_dir_option
@click.option("--department", required=True, help="The department code the client acts for.")
@click.option(
    "--roles", required=True, callback=_roles, help="Comma-separated, e.g. reader,contributor."
)
@click.option("--name", default=None, help="What the client is (default: '<department> client').")
def add_client(
    database_url: str | None,
    data_dir: Path | None,
    department: str,
    roles: tuple[str, ...],
    name: str | None,
) -> None:
    """Register a client and print its id and secret. The secret is shown only now."""
    from liaison.db.migrate import upgrade

    settings = _settings(database_url, data_dir)
    upgrade(settings.database_url)
    client_id, secret = new_client_id(department), new_client_secret()

    async def add(session: AsyncSession) -> identity.RegisteredClient:
        return await identity.add_client(
            session,
            client_id=client_id,
            name=name or f"{department} client",
            department=department,
            roles=roles,
            secret_hash=hash_secret(secret),
        )

    try:
        _run(settings.database_url, add)
    except UnknownDepartment:
        raise click.ClickException(f"no department {department!r} in the database") from None
    click.echo(f"client_id:     {client_id}")
    click.echo(f"client_secret: {secret}")
    click.echo(
        "Store the secret now: it is kept only as a hash and cannot be shown again.\n"
        f"department {department}, roles {' '.join(roles)}",
        err=True,
    )


@clients.command("list")
@database_option
@data_dir_option
def list_clients(database_url: str | None, data_dir: Path | None) -> None:
    """Every registered client, revoked ones included (secrets are never shown)."""
    settings = _settings(database_url, data_dir)
    rows = _run(settings.database_url, identity.list_clients)
    if not rows:
        click.echo("no clients (add one with: liaison clients add)")
        return
    for row in rows:
        state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
        click.echo(f"{row.client_id}\t{row.department}\t{','.join(row.roles)}\t{state}\t{row.name}")


@clients.command("revoke")
@database_option
@data_dir_option
@click.argument("client_id")
@click.option("--reason", default=None, help="Kept with the revocation.")
def revoke_client(
    database_url: str | None, data_dir: Path | None, client_id: str, reason: str | None
) -> None:
    """Refuse every token of CLIENT_ID from the next request on, in every server process;
    a registered client also gets no new tokens. For an external issuer's client, give
    CLIENT_ID as the API shows it: '<issuer name>:<client_id>'."""
    settings = _settings(database_url, data_dir)

    async def revoke(session: AsyncSession) -> tuple[bool, bool]:
        return await identity.revoke_client(
            session, client_id, now=dt.datetime.now(dt.UTC), reason=reason
        )

    registered, newly = _run(settings.database_url, revoke)
    kind = "registered client" if registered else "client (not registered here)"
    click.echo(f"{kind} {client_id}: {'revoked' if newly else 'already revoked'}")


# ---------------------------------------------------------------------------------------
# tokens


@click.group()
def tokens() -> None:
    """Revocation of access tokens."""


@tokens.command("revoke")
@database_option
@data_dir_option
@click.argument("token_or_jti")
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]),
    default=None,
    help="When the token expires (its exp), after which the revocation may be purged. "
    "Default: the token's exp when a whole token is given, else 30 days from now. UTC "
    "unless an offset is given.",
)
@click.option("--reason", default=None, help="Kept with the revocation.")
def revoke_token(
    database_url: str | None,
    data_dir: Path | None,
    token_or_jti: str,
    until: dt.datetime | None,
    reason: str | None,
) -> None:
    """Refuse an access token from the next request on, in every server process.

    TOKEN_OR_JTI is the token itself (its jti and exp are read from it, unverified) or its
    jti; an external issuer's token id is '<issuer name>:<jti>', as the API shows it."""
    settings = _settings(database_url, data_dir)
    now = dt.datetime.now(dt.UTC)
    jti, expires = _token_id(token_or_jti, settings)
    if until is not None:
        expires = until if until.tzinfo else until.replace(tzinfo=dt.UTC)
    expires_at = expires or now + DEFAULT_REVOCATION_RETENTION

    async def revoke(session: AsyncSession) -> bool:
        return await identity.revoke_token(
            session, jti, expires_at=expires_at, now=now, reason=reason
        )

    newly = _run(settings.database_url, revoke)
    state = "revoked" if newly else "already revoked"
    click.echo(f"token {jti}: {state}, kept until {expires_at:%Y-%m-%d %H:%M %Z}")


def _token_id(value: str, settings: Settings) -> tuple[str, dt.datetime | None]:
    """A jti as given, or the token id and expiry read from a whole token."""
    if value.count(".") != 2:
        return value, None
    claims = peek_claims(value)
    if claims is None or not isinstance(claims.get("jti"), str) or not claims["jti"]:
        raise click.ClickException("that token cannot be read, or has no jti")
    iss, jti, exp = claims.get("iss"), claims["jti"], claims.get("exp")
    expires = dt.datetime.fromtimestamp(exp, dt.UTC) if isinstance(exp, int | float) else None
    if iss == settings.issuer:
        return jti, expires
    try:
        external = load_issuers(settings.issuers_file, settings.issuer)
    except IssuerConfigError as exc:
        raise click.ClickException(str(exc)) from None
    issuer = external.named(iss) if isinstance(iss, str) else None
    if issuer is None:
        raise click.ClickException(
            f"that token's issuer {iss!r} is neither Liaison ({settings.issuer}) nor a "
            "configured external issuer (LIAISON_ISSUERS_FILE)"
        )
    return f"{issuer.config.name}:{jti}", expires


@tokens.command("purge")
@database_option
@data_dir_option
def purge_tokens(database_url: str | None, data_dir: Path | None) -> None:
    """Forget revocations of tokens that have expired since (they are refused anyway), and
    people's sign-ins an hour past their absolute lifetime."""
    settings = _settings(database_url, data_dir)

    async def purge(session: AsyncSession) -> tuple[int, int]:
        now = dt.datetime.now(dt.UTC)
        revocations = await identity.purge_revoked_tokens(session, now=now)
        return revocations, await people.purge_sign_ins(session, now=now)

    revocations, sign_ins = _run(settings.database_url, purge)
    click.echo(f"purged {revocations} expired revocation(s)")
    click.echo(f"purged {sign_ins} ended sign-in(s) (and codes never exchanged)")


# ---------------------------------------------------------------------------------------
# keys


@click.group("keys")
def keys_group() -> None:
    """The local signing keys (ES256, in <data dir>/signing-keys.json)."""


@keys_group.command("list")
@data_dir_option
def list_keys(data_dir: Path | None) -> None:
    """Key ids, newest first: the first signs, all verify."""
    keys = SigningKeys.load_or_create(_settings(None, data_dir).data_dir)
    for index, kid in enumerate(keys.kids):
        click.echo(f"{kid}\t{'signing' if index == 0 else 'verification only'}")


@keys_group.command("rotate")
@data_dir_option
def rotate_keys(data_dir: Path | None) -> None:
    """Make a new key the signing key; older keys keep verifying the tokens they signed."""
    keys = SigningKeys.load_or_create(_settings(None, data_dir).data_dir)
    kid = keys.rotate()
    click.echo(f"new signing key {kid}; {len(keys.kids) - 1} older key(s) still verify")
    click.echo(
        f"Running servers sharing this data directory sign with it within "
        f"{CHECK_INTERVAL_SECONDS:g} s, and accept its tokens at once.",
        err=True,
    )
