"""SPARQL 1.1 Update at /update: refused unless the server was started with
`--allow-update` and the request carries the configured bearer token."""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, request

from kg.serve import get_store, settings
from kg.serve.sparql import BadRequest

bp = Blueprint("update", __name__)


def check_write_access() -> None:
    """Raise a 403/401 unless updates are enabled and the bearer token matches."""
    conf = settings()
    if not conf.allow_update:
        raise BadRequest("updates are disabled: start the server with --allow-update", 403)
    sent = request.headers.get("Authorization", "")
    expected = f"Bearer {conf.update_token}"
    if not conf.update_token or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise BadRequest("missing or wrong bearer token", 401)


@bp.route("/update", methods=["POST"])
def update() -> Response:
    """Apply a SPARQL Update (form field `update` or application/sparql-update body)."""
    check_write_access()
    if request.mimetype == "application/sparql-update":
        text = request.get_data(as_text=True)
    else:
        text = request.form.get("update")
    if not text:
        raise BadRequest("missing 'update' parameter")
    try:
        get_store().update(text)
    except SyntaxError as exc:
        raise BadRequest(f"SPARQL syntax error: {exc}") from None
    except (ValueError, OSError) as exc:
        raise BadRequest(f"update failed: {exc}") from None
    return Response(status=204)
