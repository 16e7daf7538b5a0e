"""An unexpected exception anywhere (a resolver, an extension hook, the HTTP edge) reaches
the client as one generic INTERNAL error with the request id; its details only in the log."""

from __future__ import annotations

import logging
from typing import Any, NoReturn

import httpx
import pytest
from hostile_support import ME, bearer

from liaison.api.keys import SigningKeys
from world import World

SECRET = "SELECT secret_column FROM vault -- hunter2"
GENERIC = (
    "Internal error: the request could not be completed. Quote the request id to the operators."
)


def explode(*_: Any, **__: Any) -> NoReturn:
    raise RuntimeError(SECRET)


async def explode_async(*_: Any, **__: Any) -> NoReturn:
    raise RuntimeError(SECRET)


def assert_generic(response: httpx.Response, caplog: pytest.LogCaptureFixture) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/json")
    assert SECRET not in response.text
    assert "RuntimeError" not in response.text
    assert "Traceback" not in response.text
    body: dict[str, Any] = response.json()
    assert len(body["errors"]) == 1
    error = body["errors"][0]
    assert error["message"] == GENERIC
    assert error["extensions"] == {"code": "INTERNAL", "requestId": "hostile-req-1"}
    assert response.headers["x-request-id"] == "hostile-req-1"
    logged = [r for r in caplog.records if r.exc_info and SECRET in str(r.exc_info[1])]
    assert logged, "the details must be in the server log"
    assert any("hostile-req-1" in r.getMessage() for r in logged)
    return body


async def test_an_exception_in_a_resolver_is_a_generic_error(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from liaison.schema import queries

    monkeypatch.setattr(queries, "validate_uscc", explode)
    caplog.set_level(logging.ERROR)

    response = await http.post(
        "/graphql",
        json={"query": '{ enterprise(uscc: "91310115MA1K4ABC05") { uscc } }'},
        headers={**bearer(keys), "X-Request-ID": "hostile-req-1"},
    )

    assert response.status_code == 200
    body = assert_generic(response, caplog)
    assert body["data"] == {"enterprise": None}
    assert body["errors"][0]["path"] == ["enterprise"]


async def test_an_exception_in_an_extension_hook_is_a_generic_error(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from liaison.schema import gate_extension

    monkeypatch.setattr(gate_extension, "select", explode)
    caplog.set_level(logging.ERROR)

    response = await http.post(
        "/graphql", json={"query": ME}, headers={**bearer(keys), "X-Request-ID": "hostile-req-1"}
    )

    assert response.status_code == 200
    body = assert_generic(response, caplog)
    assert body["data"] is None


async def test_an_exception_at_the_http_edge_is_a_generic_500(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from liaison.api.policy_cache import PolicyCache

    monkeypatch.setattr(PolicyCache, "access", explode_async)
    caplog.set_level(logging.ERROR)

    response = await http.post(
        "/graphql", json={"query": ME}, headers={**bearer(keys), "X-Request-ID": "hostile-req-1"}
    )

    assert response.status_code == 500
    body = assert_generic(response, caplog)
    assert "data" not in body
