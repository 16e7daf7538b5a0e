"""The sign-in settings read from the environment, and the demo's people."""

from __future__ import annotations

import pytest

from liaison.api.config import DEFAULT_CONSOLE_REDIRECT_URIS, sign_in_from_environment
from liaison.api.demo_users import demo_password, demo_users


def test_the_defaults_are_the_documented_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "LIAISON_CONSOLE_REDIRECT_URIS",
        "LIAISON_PERSON_TOKEN_LIFETIME",
        "LIAISON_REFRESH_IDLE_SECONDS",
        "LIAISON_REFRESH_ABSOLUTE_SECONDS",
        "LIAISON_LOGIN_FAILURES_PER_ACCOUNT",
        "LIAISON_LOGIN_FAILURES_PER_ADDRESS",
        "LIAISON_LOGIN_FAILURE_WINDOW",
        "LIAISON_TRUSTED_PROXIES",
    ):
        monkeypatch.delenv(name, raising=False)

    settings = sign_in_from_environment()

    assert (
        settings.console_redirect_uris
        == DEFAULT_CONSOLE_REDIRECT_URIS
        == (
            "http://127.0.0.1:8000/console/callback",
            "http://localhost:8000/console/callback",
        )
    )
    assert (
        settings.person_token_lifetime_seconds,
        settings.refresh_idle_seconds,
        settings.refresh_absolute_seconds,
        settings.failures_per_account,
        settings.failures_per_address,
        settings.failure_window_seconds,
        settings.trusted_proxies,
    ) == (300, 28_800, 86_400, 5, 20, 900, ())


def test_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "LIAISON_CONSOLE_REDIRECT_URIS",
        " https://liaison.example.gov.cn/console/callback , http://127.0.0.1:8000/console/callback",
    )
    monkeypatch.setenv("LIAISON_PERSON_TOKEN_LIFETIME", "120")
    monkeypatch.setenv("LIAISON_TRUSTED_PROXIES", "10.0.0.2,::1")

    settings = sign_in_from_environment()

    assert settings.console_redirect_uris == (
        "https://liaison.example.gov.cn/console/callback",
        "http://127.0.0.1:8000/console/callback",
    )
    assert settings.person_token_lifetime_seconds == 120
    assert settings.trusted_proxies == ("10.0.0.2", "::1")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "LIAISON_CONSOLE_REDIRECT_URIS",
            "https://x.test/cb#frag",
            "LIAISON_CONSOLE_REDIRECT_URIS must be comma-separated absolute http(s) URLs without "
            "a fragment, such as https://liaison.example.gov.cn/console/callback "
            "('https://x.test/cb#frag' is not)",
        ),
        (
            "LIAISON_PERSON_TOKEN_LIFETIME",
            "0",
            "LIAISON_PERSON_TOKEN_LIFETIME must be a whole number from 1 to 3600, not 0",
        ),
        (
            "LIAISON_LOGIN_FAILURE_WINDOW",
            "soon",
            "LIAISON_LOGIN_FAILURE_WINDOW must be a whole number, not 'soon'",
        ),
        (
            "LIAISON_TRUSTED_PROXIES",
            "proxy.internal",
            "LIAISON_TRUSTED_PROXIES: 'proxy.internal' is not an IP address",
        ),
        (
            "LIAISON_REFRESH_IDLE_SECONDS",
            "172800",
            "LIAISON_REFRESH_IDLE_SECONDS must not exceed LIAISON_REFRESH_ABSOLUTE_SECONDS",
        ),
    ],
    ids=["fragment", "zero-lifetime", "not-a-number", "proxy-name", "idle-over-absolute"],
)
def test_a_bad_setting_stops_the_server_with_a_message_naming_it(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(SystemExit) as stopped:
        sign_in_from_environment()

    assert str(stopped.value) == message


def test_the_demo_has_three_people_per_department_and_an_admin() -> None:
    people = demo_users()

    assert len(people) == 16
    assert people[:3] == [
        ("customs.inspector", "customs Inspector", "customs", ("reader", "contributor")),
        ("customs.steward", "customs Steward", "customs", ("steward", "reader")),
        ("customs.auditor", "customs Auditor", "customs", ("auditor",)),
    ]
    assert people[-1] == ("admin", "Platform administrator", "market", ("admin",))
    assert {department for _, _, department, _ in people} == {
        "customs",
        "emergency",
        "market",
        "park",
        "ecology",
    }
    assert demo_password("park.auditor") == "park.auditor-demo-pass"
