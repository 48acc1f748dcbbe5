"""WSGI entry point: `server:app` (e.g. `waitress-serve server:app`); `kg serve` is the CLI."""

from kg.serve import create_app

app = create_app()
