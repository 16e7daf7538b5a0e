"""Helpers for the hostile-input tests: an app built with limits of a test's choosing, a
real uvicorn server for websocket and chunked-body tests, and tokens."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from liaison.api.app import create_app
from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from liaison.codes import uscc_check_character
from liaison.db import models
from liaison.limits import Limits
from world import close_app, token

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
ME = "{ me { department } }"


def bearer(keys: SigningKeys, department: str = "customs", *roles: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(keys, department, *roles)}"}


def with_limits(settings: Settings, **changes: Any) -> Settings:
    cors = changes.pop("cors_origins", settings.cors_origins)
    return dataclasses.replace(
        settings, limits=dataclasses.replace(Limits(), **changes), cors_origins=cors
    )


@asynccontextmanager
async def app_with(settings: Settings, **changes: Any) -> AsyncIterator[Starlette]:
    """The real app, with ``changes`` to the default limits (and ``cors_origins``)."""
    app = create_app(with_limits(settings, **changes))
    try:
        yield app
    finally:
        await close_app(app)


@asynccontextmanager
async def client_for(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://liaison.test") as client:
        yield client


@asynccontextmanager
async def client_with(settings: Settings, **changes: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with app_with(settings, **changes) as app, client_for(app) as client:
        yield client


def assert_json_refusal(
    response: httpx.Response, status: int, code: str, *, message: str | None = None
) -> dict[str, Any]:
    """A refusal at the HTTP edge: JSON, one error with a code and the request id, no data,
    no stack trace."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body: dict[str, Any] = response.json()
    assert "data" not in body
    assert len(body["errors"]) == 1
    error = body["errors"][0]
    assert error["extensions"]["code"] == code
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    if message is not None:
        assert message in error["message"], error["message"]
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    return error


# ---------------------------------------------------------------------------------------
# A mutation whose effect can be counted: did anything get written?

REGISTER = (
    "mutation Register($input: RegisterEnterpriseInput!) {"
    " registerEnterprise(input: $input) { enterprise { uscc } errors { field } } }"
)


def new_uscc(serial: int) -> str:
    first17 = f"91310115MA{serial:07d}"
    return first17 + uscc_check_character(first17)


def register_variables(uscc: str) -> dict[str, Any]:
    return {
        "input": {
            "uscc": uscc,
            "name": "金山石化新材料有限公司",
            "zone": "Jinshan Chemical Park",
            "address": "上海市金山区卫零路1号",
            "legalRepresentative": "李明",
            "contactPhone": "13900001111",
            "industry": "basic chemicals",
            "registeredOn": "2024-04-01",
            "documentNumber": "JS-REG-2024-001",
        }
    }


async def registered(sessions: async_sessionmaker[AsyncSession], uscc: str) -> bool:
    async with sessions() as session:
        found = await session.scalar(
            select(models.Enterprise.id).where(models.Enterprise.uscc == uscc)
        )
    return found is not None
