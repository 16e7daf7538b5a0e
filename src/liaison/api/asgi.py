"""``liaison.api.asgi:app`` for uvicorn and other ASGI servers; configured from the
environment (``LIAISON_DATABASE_URL``, ``LIAISON_DATA_DIR``, ...)."""

from __future__ import annotations

import gc

from liaison.api.app import create_app
from liaison.api.config import from_environment

app = create_app(from_environment())

# What is built by now (modules, the schema, mappers) lives as long as the process. Frozen,
# the collector stops walking those ~120,000 objects on every full collection (9 ms of a
# 1000-row page went there); a larger first generation collects a page's rows less often.
gc.collect()
gc.freeze()
gc.set_threshold(5000, 10, 10)
