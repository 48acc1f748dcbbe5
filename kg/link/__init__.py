"""Entity linking to Wikidata: offline from the shipped gazetteer, online on request.

Offline (`Linker`, `link_extraction`) runs inside `kg extract`/`kg ingest`; online
(`kg.link.online`) is only used by `kg link --online`.
"""

from kg.link.linker import LINK_THRESHOLD, LinkDecision, Linker, default_linker, link_extraction

__all__ = ["LINK_THRESHOLD", "LinkDecision", "Linker", "default_linker", "link_extraction"]
