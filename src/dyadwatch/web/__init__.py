"""The analyst's workbench: a read-only REST API and web UI over a dyadwatch store.

Needs the ``web`` extra (``pip install 'dyadwatch[web]'``): FastAPI, uvicorn, Jinja2.
``create_app(db_path)`` builds the app; ``serve(db_path, host=..., port=...)`` runs it.
"""

from __future__ import annotations

from .app import LOOPBACK_HOSTS, MAX_BODY_BYTES, MAX_QUERY_BYTES, create_app, serve

__all__ = ["create_app", "serve", "MAX_BODY_BYTES", "MAX_QUERY_BYTES", "LOOPBACK_HOSTS"]
