"""Configuration, read once from the environment (and overridden by CLI options)."""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from liaison.limits import Limits

DEFAULT_DATA_DIR = Path("liaison-data")
DEFAULT_CONSOLE_REDIRECT_URIS = (
    "http://127.0.0.1:8000/console/callback",
    "http://localhost:8000/console/callback",
)


@dataclass(frozen=True)
class SignInSettings:
    """People's sign-in (README, Security / Identity / 4): the console's redirect URIs
    (exact match), token lifetimes, and the limits on failed attempts."""

    console_redirect_uris: tuple[str, ...] = DEFAULT_CONSOLE_REDIRECT_URIS
    person_token_lifetime_seconds: int = 300
    refresh_idle_seconds: int = 8 * 3600
    refresh_absolute_seconds: int = 24 * 3600
    failures_per_account: int = 5
    failures_per_address: int = 20
    failure_window_seconds: int = 900
    # Socket peers whose X-Forwarded-For names the client (a reverse proxy's address).
    trusted_proxies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    issuer: str
    audience: str
    token_lifetime_seconds: int
    # Hostile input (README, "Hostile input"): each limit from LIAISON_MAX_* / LIAISON_RATE_*,
    # and the origins whose pages may call the API (LIAISON_CORS_ORIGINS, comma-separated).
    limits: Limits = field(default_factory=Limits)
    cors_origins: tuple[str, ...] = ()
    # Identity (README, Security / Identity): the URL clients reach this server at, https
    # behind a TLS-terminating proxy (LIAISON_PUBLIC_URL), and the external issuers' file
    # (LIAISON_ISSUERS_FILE, TOML or YAML).
    public_url: str | None = None
    issuers_file: Path | None = None
    # Subscriptions (README, Subscriptions): how often each process looks for changes
    # made by any process (LIAISON_SUBSCRIPTION_POLL_SECONDS).
    subscription_poll_seconds: float = 1.0
    # Retention (README, Operations): how long the change feed keeps a change, which bounds
    # how far back a subscription may resume (LIAISON_RECORD_CHANGE_RETENTION, seconds).
    record_change_retention_seconds: int = 86_400
    sign_in: SignInSettings = field(default_factory=SignInSettings)
    # Referral attachments (README, Working together / Referrals): the directory their
    # content goes to (LIAISON_ATTACHMENT_DIR); none: the database.
    attachment_dir: Path | None = None

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from None


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a number of seconds, not {raw!r}") from None
    if not 0 < value <= 3600:
        raise SystemExit(f"{name} must be more than 0 and at most 3600 seconds")
    return value


def limits_from_environment() -> Limits:
    values: dict[str, float] = {}
    for name, env, default, _ in Limits.documented():
        raw = os.environ.get(env)
        if raw is None:
            continue
        try:
            value = type(default)(raw)
        except ValueError:
            kind = "a whole number" if isinstance(default, int) else "a number"
            raise SystemExit(f"{env} must be {kind}, not {raw!r}") from None
        if value < 0:
            raise SystemExit(f"{env} must not be negative (0 turns the limit off)")
        values[name] = value
    return Limits(**values)  # type: ignore[arg-type]


_ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$")


def cors_origins_from_environment() -> tuple[str, ...]:
    raw = os.environ.get("LIAISON_CORS_ORIGINS", "")
    origins = tuple(o.strip().lower() for o in raw.split(",") if o.strip())
    for origin in origins:
        if not _ORIGIN.match(origin):
            raise SystemExit(
                f"LIAISON_CORS_ORIGINS: {origin!r} is not an origin such as "
                "https://portal.example.gov.cn (scheme, host and optional port; no path, "
                "no wildcard)"
            )
    return origins


def from_environment() -> Settings:
    data_dir = Path(os.environ.get("LIAISON_DATA_DIR", DEFAULT_DATA_DIR))
    return Settings(
        data_dir=data_dir,
        database_url=os.environ.get(
            "LIAISON_DATABASE_URL", f"sqlite:///{(data_dir / 'liaison.db').as_posix()}"
        ),
        issuer=os.environ.get("LIAISON_ISSUER", "urn:liaison:local"),
        audience=os.environ.get("LIAISON_AUDIENCE", "urn:liaison:api"),
        token_lifetime_seconds=_int("LIAISON_TOKEN_LIFETIME", 3600),
        limits=limits_from_environment(),
        cors_origins=cors_origins_from_environment(),
        public_url=_public_url(),
        issuers_file=_optional_path("LIAISON_ISSUERS_FILE"),
        subscription_poll_seconds=_seconds("LIAISON_SUBSCRIPTION_POLL_SECONDS", 1.0),
        record_change_retention_seconds=_positive(
            "LIAISON_RECORD_CHANGE_RETENTION", 86_400, 366 * 86_400
        ),
        sign_in=sign_in_from_environment(),
        attachment_dir=_optional_path("LIAISON_ATTACHMENT_DIR"),
    )


def _positive(name: str, default: int, most: int) -> int:
    value = _int(name, default)
    if not 0 < value <= most:
        raise SystemExit(f"{name} must be a whole number from 1 to {most}, not {value}")
    return value


_REDIRECT_URI = re.compile(r"^https?://[^\s#?]+(\?[^\s#]*)?$")


def sign_in_from_environment() -> SignInSettings:
    raw = os.environ.get("LIAISON_CONSOLE_REDIRECT_URIS")
    uris: tuple[str, ...] = DEFAULT_CONSOLE_REDIRECT_URIS
    if raw is not None:
        uris = tuple(u.strip() for u in raw.split(",") if u.strip())
        bad = [u for u in uris if not _REDIRECT_URI.match(u)]
        if not uris or bad:
            raise SystemExit(
                "LIAISON_CONSOLE_REDIRECT_URIS must be comma-separated absolute http(s) URLs "
                "without a fragment, such as https://liaison.example.gov.cn/console/callback"
                + (f" ({bad[0]!r} is not)" if bad else "")
            )
    proxies = tuple(
        p.strip() for p in os.environ.get("LIAISON_TRUSTED_PROXIES", "").split(",") if p.strip()
    )
    for proxy in proxies:
        try:
            ipaddress.ip_address(proxy)
        except ValueError:
            raise SystemExit(f"LIAISON_TRUSTED_PROXIES: {proxy!r} is not an IP address") from None
    idle = _positive("LIAISON_REFRESH_IDLE_SECONDS", 8 * 3600, 30 * 86400)
    absolute = _positive("LIAISON_REFRESH_ABSOLUTE_SECONDS", 24 * 3600, 90 * 86400)
    if idle > absolute:
        raise SystemExit(
            "LIAISON_REFRESH_IDLE_SECONDS must not exceed LIAISON_REFRESH_ABSOLUTE_SECONDS"
        )
    return SignInSettings(
        console_redirect_uris=uris,
        person_token_lifetime_seconds=_positive("LIAISON_PERSON_TOKEN_LIFETIME", 300, 3600),
        refresh_idle_seconds=idle,
        refresh_absolute_seconds=absolute,
        failures_per_account=_positive("LIAISON_LOGIN_FAILURES_PER_ACCOUNT", 5, 10_000),
        failures_per_address=_positive("LIAISON_LOGIN_FAILURES_PER_ADDRESS", 20, 100_000),
        failure_window_seconds=_positive("LIAISON_LOGIN_FAILURE_WINDOW", 900, 86_400),
        trusted_proxies=proxies,
    )


def _optional_path(name: str) -> Path | None:
    raw = os.environ.get(name)
    return Path(raw) if raw else None


def _public_url() -> str | None:
    raw = os.environ.get("LIAISON_PUBLIC_URL") or None
    if raw is not None and not re.fullmatch(r"https?://[^/?#\s]+(/[^?#\s]*)?", raw):
        raise SystemExit(
            f"LIAISON_PUBLIC_URL must be the URL clients reach Liaison at, such as "
            f"https://liaison.example.gov.cn (no query, no fragment), not {raw!r}"
        )
    return raw
