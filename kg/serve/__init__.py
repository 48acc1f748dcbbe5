"""The Flask application: `create_app(config)` builds it, no module-level state.

Blueprints: `sparql` (SPARQL 1.1 Protocol query endpoint), `describe` (service description,
VoID, dereferenceable /id/ pages), `update` (SPARQL Update and Graph Store Protocol, off
unless enabled with a bearer token), `export` (dumps over HTTP), `ui` (query page).
"""

from __future__ import annotations

import atexit
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, request
from pyoxigraph import Store

from kg.config import Settings
from kg.store import open_store

if TYPE_CHECKING:
    from kg.serve.executor import InlineExecutor, ProcessExecutor


class ServeConfigError(ValueError):
    """Settings that cannot work together (the CLI reports the message as a usage error)."""


def create_app(config: Settings | dict[str, Any] | None = None, *,
               store: Store | None = None) -> Flask:
    """Build the app from Settings (or a dict of Settings fields); `store` overrides the path.

    With a path and no updates, queries run in killable worker processes (real timeouts);
    a passed-in or writable store is queried in the request thread. With `in_memory` the
    store at the path is dumped once and every worker serves an in-memory copy of that
    snapshot (faster joins; memory and start time grow with the store: see README); the
    other pages read the same snapshot, so the whole app answers as of its start.

    Example:
        app = create_app({"store": "kg-store"}); app.run()
    """
    settings = config if isinstance(config, Settings) else Settings.from_env(**(config or {}))
    if settings.in_memory and settings.allow_update:
        raise ServeConfigError("--in-memory serves a snapshot loaded at start, which cannot "
                               "take writes: drop --in-memory to allow updates, or "
                               "--allow-update to serve from memory")
    app = Flask(__name__)
    app.config["KG"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    from kg.serve.executor import InlineExecutor, ProcessExecutor

    executor: InlineExecutor | ProcessExecutor
    if store is None and settings.in_memory:
        store, executor = _in_memory(settings)
        atexit.register(executor.close)
    elif store is None:
        store = open_store(settings.store, read_only=not settings.allow_update)
        if settings.allow_update or settings.query_workers < 1:
            executor = InlineExecutor(store)
        else:
            executor = ProcessExecutor(settings.store, settings.query_workers)
            atexit.register(executor.close)
    else:
        executor = InlineExecutor(store)
    app.extensions["kg_store"] = store
    app.extensions["kg_executor"] = executor

    from kg.serve import describe, export, ontology_doc, resource, sparql, ui, update

    app.register_blueprint(sparql.bp)
    app.register_blueprint(describe.bp)
    app.register_blueprint(resource.bp)
    app.register_blueprint(update.bp)
    app.register_blueprint(export.bp)
    app.register_blueprint(ui.bp)
    app.register_blueprint(ontology_doc.bp)
    sparql.register_error_handlers(app)
    _enable_cors(app, settings.cors_origins)
    return app


def _in_memory(settings: Settings) -> tuple[Store, InlineExecutor | ProcessExecutor]:
    """Dump one snapshot of the store; the workers (with none: this process) load it."""
    from kg.serve.executor import InlineExecutor, ProcessExecutor
    from kg.serve.snapshot import dump_snapshot, load_snapshot

    snapshot = open_store(settings.store, read_only=True).snapshot  # fixed: no refreshes
    dump = dump_snapshot(snapshot)
    if settings.query_workers < 1:
        with dump:
            memory = load_snapshot(dump.fileno())
        return memory, InlineExecutor(memory, frozen=True)
    return snapshot, ProcessExecutor(settings.store, settings.query_workers, snapshot=dump)


def _enable_cors(app: Flask, origins: str) -> None:
    """Allow cross-origin reads from the configured origins ('*' or a comma-separated list)."""
    allowed = {o.strip() for o in origins.split(",") if o.strip()}
    if not allowed:
        return

    @app.after_request
    def _cors(resp: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin and ("*" in allowed or origin in allowed):
            resp.headers["Access-Control-Allow-Origin"] = "*" if "*" in allowed else origin
            resp.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, DELETE, OPTIONS"
            resp.headers["Access-Control-Allow-Headers"] = "Accept, Authorization, Content-Type"
            resp.headers["Access-Control-Expose-Headers"] = "X-KG-Truncated, X-KG-Max-Rows"
            if "*" not in allowed:
                resp.headers["Vary"] = "Origin"
        return resp


def get_store() -> Store:
    """The store of the current app (cached on `g` for the request)."""
    from flask import current_app

    if "kg_store" not in g:
        g.kg_store = current_app.extensions["kg_store"]
    return g.kg_store


def settings() -> Settings:
    """The Settings the current app was built with."""
    from flask import current_app

    return current_app.config["KG"]
