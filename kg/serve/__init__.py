"""The Flask application: `create_app(config)` builds it, no module-level state.

Blueprints: `sparql` (SPARQL 1.1 Protocol query endpoint), `update` (SPARQL Update, off
unless enabled with a bearer token), `export` (dumps over HTTP), `ui` (query page).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from pyoxigraph import Store

from kg.config import Settings
from kg.store import open_store


def create_app(config: Settings | dict[str, Any] | None = None, *,
               store: Store | None = None) -> Flask:
    """Build the app from Settings (or a dict of Settings fields); `store` overrides the path.

    Example:
        app = create_app({"store": "kg-store"}); app.run()
    """
    settings = config if isinstance(config, Settings) else Settings.from_env(**(config or {}))
    app = Flask(__name__)
    app.config["KG"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    if store is None:
        store = open_store(settings.store, read_only=not settings.allow_update)
    app.extensions["kg_store"] = store

    from kg.serve import describe, export, ontology_doc, sparql, ui, update

    app.register_blueprint(sparql.bp)
    app.register_blueprint(describe.bp)
    app.register_blueprint(update.bp)
    app.register_blueprint(export.bp)
    app.register_blueprint(ui.bp)
    app.register_blueprint(ontology_doc.bp)
    sparql.register_error_handlers(app)
    return app


def get_store() -> Store:
    """The store of the current app (cached on `g` for the request)."""
    from flask import current_app

    if "kg_store" not in g:
        g.kg_store = current_app.extensions["kg_store"]
    return g.kg_store


def settings() -> Settings:
    from flask import current_app

    return current_app.config["KG"]
