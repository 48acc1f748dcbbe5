"""kg: news articles about armed conflict -> an RDF knowledge graph researchers can query.

Data flows one way: read -> extract -> mapping -> store -> link -> serve / export.
"""

__version__ = "0.4.0"
