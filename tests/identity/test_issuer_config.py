"""The external issuers' file: TOML or YAML, every mistake refused by name at start-up."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from liaison.api.config import Settings
from liaison.api.issuers import IssuerConfigError, parse_issuers, read_issuers_file
from liaison.permissions.principal import Role

LOCAL = "urn:liaison:local"

TOML = """
[[issuers]]
name = "customs-idp"
issuer = "https://idp.customs.example.gov.cn/realms/liaison"
jwks_uri = "https://idp.customs.example.gov.cn/realms/liaison/protocol/openid-connect/certs"
audience = "urn:liaison:api"
algorithms = ["RS256", "PS256"]
department_claim = "org"
departments = { "CN-CUSTOMS-SH" = "customs" }
roles_claim = ["realm_access", "roles"]
roles = { "liaison-reader" = "reader", "liaison-steward" = "steward" }
"""

YAML = """
issuers:
  - name: park-idp
    issuer: https://sso.park.example.gov.cn
    jwks_uri: https://sso.park.example.gov.cn/jwks.json
    audience: urn:liaison:api
    algorithms: [ES256]
    token_types: [at+jwt, jwt]
    department: park
    jwks_cooldown_seconds: 30
"""


def test_a_toml_file_configures_an_issuer_with_claim_mappings(tmp_path: Path) -> None:
    path = tmp_path / "issuers.toml"
    path.write_text(TOML)

    (config,) = read_issuers_file(path, LOCAL)

    assert config.name == "customs-idp"
    assert config.algorithms == ("RS256", "PS256")
    assert config.token_types == frozenset({"at+jwt"})
    assert config.department is None
    assert config.department_claim == ("org",)
    assert config.departments == {"CN-CUSTOMS-SH": "customs"}
    assert config.roles_claim == ("realm_access", "roles")
    assert config.roles == {"liaison-reader": Role.READER, "liaison-steward": Role.STEWARD}
    assert (config.leeway_seconds, config.jwks_cooldown_seconds) == (30, 60.0)


def test_a_yaml_file_configures_an_issuer_of_one_department(tmp_path: Path) -> None:
    path = tmp_path / "issuers.yaml"
    path.write_text(YAML)

    (config,) = read_issuers_file(path, LOCAL)

    assert (config.name, config.department, config.roles) == ("park-idp", "park", None)
    assert config.token_types == frozenset({"at+jwt", "jwt"})
    assert config.jwks_cooldown_seconds == 30.0


def entry(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "customs-idp",
        "issuer": "https://idp.example",
        "jwks_uri": "https://idp.example/jwks.json",
        "audience": "urn:liaison:api",
        "algorithms": ["RS256"],
        "department": "customs",
    }
    for name, value in changes.items():
        if value is None:
            base.pop(name, None)
        else:
            base[name] = value
    return base


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param({}, "expected a list of issuers", id="no issuers"),
        pytest.param({"issuers": [entry()], "extra": 1}, "top level", id="extra top-level"),
        pytest.param({"issuers": [entry(algorithm="RS256")]}, "unknown setting", id="typo"),
        pytest.param({"issuers": [entry(name="Customs IdP")]}, "name must match", id="bad name"),
        pytest.param({"issuers": [entry(issuer=None)]}, "issuer is required", id="no issuer"),
        pytest.param({"issuers": [entry(issuer=LOCAL)]}, "Liaison's own", id="local issuer"),
        pytest.param(
            {"issuers": [entry(jwks_uri="http://idp.example/jwks.json")]},
            "jwks_uri must be https",
            id="plain http jwks",
        ),
        pytest.param(
            {"issuers": [entry(jwks_uri="file:///etc/passwd")]},
            "jwks_uri must be https",
            id="file jwks",
        ),
        pytest.param({"issuers": [entry(algorithms=["HS256"])]}, "'HS256'", id="HMAC"),
        pytest.param({"issuers": [entry(algorithms=["none"])]}, "'none'", id="alg none"),
        pytest.param({"issuers": [entry(algorithms=[])]}, "non-empty", id="no algorithms"),
        pytest.param({"issuers": [entry(algorithms="RS256")]}, "list of strings", id="not list"),
        pytest.param(
            {"issuers": [entry(token_types=["id_token+jwt"])]}, "token_types", id="id token typ"
        ),
        pytest.param(
            {"issuers": [entry(department=None)]}, "set either department", id="no department"
        ),
        pytest.param(
            {"issuers": [entry(department_claim="org")]},
            "set either department",
            id="both department kinds",
        ),
        pytest.param(
            {"issuers": [entry(department=None, department_claim="org")]},
            "department_claim needs departments",
            id="claim without mapping",
        ),
        pytest.param(
            {
                "issuers": [
                    entry(department=None, department_claim="org", departments={"X": "Customs"})
                ]
            },
            "must be a department code",
            id="bad department code in mapping",
        ),
        pytest.param(
            {"issuers": [entry(roles={"root": "superuser"})]}, "roles['root']", id="bad role"
        ),
        pytest.param({"issuers": [entry(roles_claim="")]}, "roles_claim", id="empty claim"),
        pytest.param(
            {"issuers": [entry(jwks_cooldown_seconds=0)]}, "jwks_cooldown", id="no cool-down"
        ),
        pytest.param({"issuers": [entry(leeway_seconds=3600)]}, "leeway", id="huge leeway"),
        pytest.param(
            {"issuers": [entry(), entry(issuer="https://other.example")]},
            "name 'customs-idp' is configured twice",
            id="duplicate name",
        ),
        pytest.param(
            {"issuers": [entry(), entry(name="other-idp")]},
            "issuer 'https://idp.example' is configured twice",
            id="duplicate issuer",
        ),
    ],
)
def test_a_mistake_in_the_issuers_file_is_refused_by_name(
    document: dict[str, Any], message: str
) -> None:
    with pytest.raises(IssuerConfigError, match=re.escape(message)):
        parse_issuers(document, LOCAL)


def test_http_is_accepted_for_a_jwks_on_loopback_only() -> None:
    (config,) = parse_issuers({"issuers": [entry(jwks_uri="http://127.0.0.1:9/jwks")]}, LOCAL)

    assert config.jwks_uri == "http://127.0.0.1:9/jwks"


def test_the_server_refuses_to_start_with_an_unusable_issuers_file(
    settings: Settings, tmp_path: Path
) -> None:
    from liaison.api.app import create_app

    path = tmp_path / "issuers.toml"
    path.write_text('[[issuers]]\nname = "x"\n')

    with pytest.raises(SystemExit, match=r"LIAISON_ISSUERS_FILE: .*issuers.toml"):
        create_app(settings.with_overrides(issuers_file=path, data_dir=tmp_path))


def test_an_unreadable_or_invalid_file_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "issuers.toml"
    broken.write_text("[[issuers]\n")

    with pytest.raises(IssuerConfigError, match="not valid"):
        read_issuers_file(broken, LOCAL)
    with pytest.raises(IssuerConfigError, match="cannot read"):
        read_issuers_file(tmp_path / "missing.toml", LOCAL)


def test_the_readme_example_is_a_valid_issuers_file(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    start = readme.index("```toml", readme.index("### Identity")) + len("```toml")
    example = readme[start : readme.index("```", start)]
    path = tmp_path / "issuers.toml"
    path.write_text(example)

    customs, park = read_issuers_file(path, LOCAL)

    assert customs.departments == {"CN-CUSTOMS-SH": "customs", "CN-CUSTOMS-NB": "customs"}
    assert customs.roles_claim == ("realm_access", "roles")
    assert (park.department, park.algorithms) == ("park", ("ES256",))


def test_identity_settings_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from liaison.api.config import from_environment

    monkeypatch.setenv("LIAISON_PUBLIC_URL", "https://liaison.example.gov.cn")
    monkeypatch.setenv("LIAISON_ISSUERS_FILE", str(tmp_path / "issuers.toml"))

    settings = from_environment()

    assert settings.public_url == "https://liaison.example.gov.cn"
    assert settings.issuers_file == tmp_path / "issuers.toml"


@pytest.mark.parametrize(
    "url", ["liaison.example.gov.cn", "ftp://liaison.example", "https://x/?q=1", "https://x/#f"]
)
def test_a_public_url_that_is_not_one_stops_the_server(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    from liaison.api.config import from_environment

    monkeypatch.setenv("LIAISON_PUBLIC_URL", url)

    with pytest.raises(SystemExit, match="LIAISON_PUBLIC_URL"):
        from_environment()
