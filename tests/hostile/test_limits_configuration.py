"""Every limit is configuration with a documented default: the README's "Hostile input"
table lists exactly the limits of ``liaison.limits.Limits``, and the environment sets them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from liaison.api.config import cors_origins_from_environment, limits_from_environment
from liaison.limits import Limits

README = Path(__file__).resolve().parents[2] / "README.md"


def hostile_input_table() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("### Hostile input", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `(LIAISON_[A-Z_]+)` \| `?([^`|]+?)`? \|", section, re.MULTILINE))


def test_the_readme_documents_every_limit_with_its_default() -> None:
    table = hostile_input_table()

    documented = {
        env: str(default) if isinstance(default, int) else f"{default:g}"
        for _, env, default, _ in Limits.documented()
    }

    assert {env: table.get(env) for env in documented} == documented
    assert table["LIAISON_CORS_ORIGINS"] == "(none)"
    assert set(table) == {*documented, "LIAISON_CORS_ORIGINS"}


def test_each_limit_is_read_from_its_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for n, (_, env, default, _) in enumerate(Limits.documented(), start=1):
        monkeypatch.setenv(env, str(type(default)(n)))

    limits = limits_from_environment()

    assert [getattr(limits, name) for name, *_ in Limits.documented()] == list(
        range(1, len(Limits.documented()) + 1)
    )


def test_unset_variables_keep_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for _, env, _, _ in Limits.documented():
        monkeypatch.delenv(env, raising=False)

    assert limits_from_environment() == Limits()


@pytest.mark.parametrize(
    ("value", "says"),
    [("lots", "must be a whole number"), ("-1", "must not be negative"), ("1.5", "whole number")],
)
def test_a_bad_limit_stops_the_server_with_a_reason(
    monkeypatch: pytest.MonkeyPatch, value: str, says: str
) -> None:
    monkeypatch.setenv("LIAISON_MAX_DEPTH", value)

    with pytest.raises(SystemExit, match=says):
        limits_from_environment()


def test_the_execution_limit_takes_fractions_of_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIAISON_MAX_EXECUTION_SECONDS", "2.5")

    assert limits_from_environment().max_execution_seconds == 2.5


def test_cors_origins_are_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "LIAISON_CORS_ORIGINS", " https://Portal.example.gov.cn, http://localhost:5173 "
    )

    assert cors_origins_from_environment() == (
        "https://portal.example.gov.cn",
        "http://localhost:5173",
    )


def test_no_cors_origin_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIAISON_CORS_ORIGINS", raising=False)

    assert cors_origins_from_environment() == ()


@pytest.mark.parametrize(
    "origin", ["*", "https://portal.example.gov.cn/", "portal.example.gov.cn", "ftp://x.cn"]
)
def test_a_cors_entry_that_is_not_an_origin_is_refused(
    monkeypatch: pytest.MonkeyPatch, origin: str
) -> None:
    monkeypatch.setenv("LIAISON_CORS_ORIGINS", origin)

    with pytest.raises(SystemExit, match="is not an origin"):
        cors_origins_from_environment()
