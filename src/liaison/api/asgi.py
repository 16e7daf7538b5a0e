"""``liaison.api.asgi:app`` for uvicorn and other ASGI servers; configured from the
environment (``LIAISON_DATABASE_URL``, ``LIAISON_DATA_DIR``, ...)."""

from __future__ import annotations

from liaison.api.app import create_app
from liaison.api.config import from_environment

app = create_app(from_environment())
