"""The benchmark's baselines return exactly Liaison's bytes for the same caller, so the
benchmark cannot silently drift from the schema, the masks or the memorandum."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import page, plain, stock  # noqa: E402
from liaison.api.app import create_app  # noqa: E402
from liaison.api.cli import main as liaison  # noqa: E402
from liaison.api.config import Settings, from_environment  # noqa: E402

ENTERPRISES = 20


def _run(*arguments: str) -> str:
    outcome = CliRunner().invoke(liaison, list(arguments))
    assert outcome.exit_code == 0, outcome.output
    return outcome.output


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir = tmp_path_factory.mktemp("bench-demo")
    url = f"sqlite:///{data_dir / 'liaison.db'}"
    _run("demo", "--database-url", url, "--data-dir", str(data_dir),
         "--enterprises", str(ENTERPRISES))  # fmt: skip
    return from_environment().with_overrides(data_dir=data_dir, database_url=url)


@pytest.fixture(scope="module")
def liaison_app(demo: Settings) -> Any:
    return create_app(demo)


async def _body(app: Any, method: str, path: str, **options: Any) -> bytes:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench.test") as client:
        response = await client.request(method, path, **options)
    assert response.status_code == 200, response.text
    return response.content


@pytest.fixture
async def baselines(demo: Settings, caller: str) -> AsyncIterator[dict[str, Any]]:
    apps = {
        "plain": plain.create_app(demo.database_url, caller),
        "stock": stock.create_app(demo.database_url, caller),
    }
    yield apps
    for app in apps.values():
        await app.state.engine.dispose()


@pytest.mark.parametrize("size", [7, ENTERPRISES])
@pytest.mark.parametrize("caller", ["customs", "market"])
async def test_the_baselines_return_liaisons_bytes_for_the_same_caller(
    demo: Settings, liaison_app: Any, baselines: dict[str, Any], caller: str, size: int
) -> None:
    token = _run("token", "--data-dir", str(demo.data_dir), "--department", caller).strip()
    expected = await _body(
        liaison_app,
        "POST",
        "/graphql",
        json={"query": page.QUERY, "variables": {"first": size}},
        headers={"Authorization": f"Bearer {token}", "Liaison-Purpose": "joint_inspection"},
    )

    from_plain = await _body(baselines["plain"], "GET", f"/enterprises?first={size}")
    from_stock = await _body(
        baselines["stock"],
        "POST",
        "/graphql",
        json={"query": page.QUERY, "variables": {"first": size}},
    )

    result = orjson.loads(expected)
    assert "errors" not in result
    assert len(result["data"]["enterprises"]["edges"]) == size
    assert from_plain == expected
    assert from_stock == expected


async def test_a_cross_department_caller_sees_masked_values_in_every_variant(
    demo: Settings, liaison_app: Any
) -> None:
    app = plain.create_app(demo.database_url, "customs")
    body = orjson.loads(await _body(app, "GET", "/enterprises?first=1"))
    await app.state.engine.dispose()

    node = body["data"]["enterprises"]["edges"][0]["node"]
    assert "*" in node["contactPhone"]
    assert "*" in node["legalRepresentative"]
