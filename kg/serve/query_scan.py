"""What a query asks for before it runs: its SERVICE IRIs and whether it names a dataset (FROM).

pyoxigraph has no algebra API, so the query text is scanned with a SPARQL-aware tokenizer:
comments, string literals and IRIs are single tokens, so the word SERVICE inside a comment,
a string, an IRI, a variable (`?service`) or a prefixed name (`ex:service`) is never taken for
the keyword. As a second line of defence, text that mentions "service" anywhere without a
SERVICE keyword token is parsed with rdflib's SPARQL grammar; if that parser disagrees or
fails, the query is treated as federated (refused unless allowed), never silently let through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<comment>\#[^\n\r]*)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<pname>(?:[^\W\d_][\w.-]*)?:(?:[\w.:%-]|\\[_~.!$&'()*+,;=/?#@%-])*)
  | (?P<word>[^\W\d][\w-]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass
class QueryScan:
    """SERVICE targets and dataset clauses found in a query."""

    services: list[str] = field(default_factory=list)  # absolute IRIs; "?var" for variables
    has_from: bool = False
    unresolved_service: bool = False  # SERVICE seen but its IRI could not be determined


def _unescape(text: str) -> str:
    """SPARQL applies \\u escapes before parsing; scan what the parser will see."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind not in {"ws", "comment"}:
            out.append((kind, m.group()))
    return out


def scan_query(text: str) -> QueryScan:
    """Find SERVICE IRIs (resolved against PREFIX/BASE) and FROM clauses in a query."""
    text = _unescape(text)
    toks = _tokens(text)
    prefixes: dict[str, str] = {}
    base = ""
    scan = QueryScan()
    for i, (kind, value) in enumerate(toks):
        if kind != "word":
            continue
        word = value.upper()
        nxt = toks[i + 1] if i + 1 < len(toks) else ("", "")
        if word == "BASE" and nxt[0] == "iri":
            base = urljoin(base, nxt[1][1:-1])
        elif word == "PREFIX" and nxt[0] == "pname" and i + 2 < len(toks) \
                and toks[i + 2][0] == "iri":
            prefixes[nxt[1].rstrip(":").split(":")[0]] = urljoin(base, toks[i + 2][1][1:-1])
        elif word == "FROM":
            scan.has_from = True
        elif word == "SERVICE":
            j = i + 1
            if j < len(toks) and toks[j][0] == "word" and toks[j][1].upper() == "SILENT":
                j += 1
            target = toks[j] if j < len(toks) else ("", "")
            if target[0] == "iri":
                scan.services.append(urljoin(base, target[1][1:-1]))
            elif target[0] == "pname":
                pfx, _, local = target[1].partition(":")
                if pfx in prefixes:
                    scan.services.append(prefixes[pfx] + local.replace("\\", ""))
                else:
                    scan.unresolved_service = True
            elif target[0] == "var":
                scan.services.append(target[1])
            else:
                scan.unresolved_service = True
    if not scan.services and not scan.unresolved_service and "service" in text.lower():
        scan.unresolved_service = _rdflib_sees_service(text)
    return scan


def _rdflib_sees_service(text: str) -> bool:
    """Cross-check with rdflib's grammar when the word appears but no keyword token did."""
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except Exception:
        # rdflib cannot parse it; if Oxigraph can, we cannot prove there is no SERVICE.
        return bool(re.search(r"(?i)\bservice\b", text))
    return "ServiceGraphPattern" in repr(tree)


def service_host(iri: str) -> str:
    """`host` or `host:port` of a SERVICE IRI, lower-cased ('' when it has none)."""
    parts = urlsplit(iri)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def refused_services(scan: QueryScan, allowlist: tuple[str, ...]) -> list[str]:
    """SERVICE targets not covered by the allowlist (entries are `host` or `host:port`)."""
    allowed = {h.lower() for h in allowlist}
    bad = ["(unresolvable SERVICE target)"] if scan.unresolved_service else []
    for iri in scan.services:
        if iri.startswith(("?", "$")):
            bad.append(iri)
            continue
        host = service_host(iri)
        if not host or (host not in allowed and host.split(":")[0] not in allowed):
            bad.append(iri)
    return bad
