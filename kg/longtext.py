"""Extract very long articles in chunks, with offsets into the whole text.

spaCy refuses texts over `nlp.max_length` (1,000,000 characters), and the parser's memory
grows with the text, so raising the limit is not safe for a 5 MB "article" (a book, a
scraped page dump). Instead a long text is cut at paragraph (else sentence, else word)
boundaries into chunks of at most `CHUNK_CHARS`, each chunk runs through the normal
pipeline, and the chunk records are merged into one Extraction: offsets are shifted back to
positions in the full text, entities found in several chunks become one entity. Events are
not merged across chunk boundaries (a boundary falls between paragraphs, rarely inside one
event's report).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import replace

from kg.extract.pipeline import Extractor
from kg.gazetteer import fold
from kg.records import Article, Entity, Event, Extraction, Relation

CHUNK_CHARS = 50_000
_SEPARATORS = ("\n\n", "\n", ". ", " ")


def split_text(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """(offset, chunk) pairs covering `text` exactly, each at most `size` characters.

    Cuts after the last paragraph break (else line break, sentence end, space) in the
    second half of the window, so chunks keep whole paragraphs when the text has any.
    """
    chunks: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > size:
        window = text[start:start + size]
        cut = size
        for sep in _SEPARATORS:
            i = window.rfind(sep, size // 2)
            if i != -1:
                cut = i + len(sep)
                break
        chunks.append((start, window[:cut]))
        start += cut
    chunks.append((start, text[start:]))
    return chunks


def _shift_entity(e: Entity, offset: int) -> Entity:
    mentions = [replace(m, start=m.start + offset, end=m.end + offset,
                        sentence_start=None if m.sentence_start is None
                        else m.sentence_start + offset) for m in e.mentions]
    return replace(e, mentions=mentions)


def _identity(e: Entity) -> tuple[str, str]:
    if e.key:
        return ("key", e.key)
    if e.wikidata:
        return ("qid", e.wikidata)
    return (e.cls, fold(e.label))


def merge_extractions(article: Article, parts: list[tuple[int, Extraction]]) -> Extraction:
    """One Extraction for `article` from the extractions of its chunks at their offsets."""
    entities: dict[tuple[str, str], Entity] = {}
    events: list[Event] = []
    relations: list[Relation] = []
    seen_relations: set[tuple[str, str, str]] = set()
    for offset, part in parts:
        ids: dict[str, str] = {}
        for e in part.entities:
            shifted = _shift_entity(e, offset)
            merged = entities.get(_identity(e))
            if merged is None:
                merged = replace(shifted, id=f"e{len(entities) + 1}")
                entities[_identity(e)] = merged
            else:
                merged.mentions.extend(shifted.mentions)
            ids[e.id] = merged.id
        for ev in part.events:
            events.append(replace(
                ev, id=f"v{len(events) + 1}", start=ev.start + offset, end=ev.end + offset,
                location=ids.get(ev.location) if ev.location else None,
                actors=[ids[x] for x in ev.actors], targets=[ids[x] for x in ev.targets],
                weapons=[ids[x] for x in ev.weapons],
                reported_by=[ids[x] for x in ev.reported_by]))
        for rel in part.relations:
            key = (ids[rel.subject], rel.predicate, ids[rel.object])
            if key in seen_relations:
                continue
            seen_relations.add(key)
            relations.append(replace(
                rel, subject=key[0], object=key[2],
                start=None if rel.start is None else rel.start + offset,
                end=None if rel.end is None else rel.end + offset))
    extractor = parts[0][1].extractor if parts else ""
    return Extraction(article=article, entities=list(entities.values()), events=events,
                      relations=relations, extractor=extractor)


def extract_long(extractor: Extractor, articles: Iterable[Article],
                 chunk_chars: int = CHUNK_CHARS) -> Iterator[Extraction]:
    """`Extractor.extract`, except that articles over `chunk_chars` go through in chunks.

    Yields one Extraction per input article, in input order, like `Extractor.extract`.
    """
    plans: deque[tuple[Article, list[int]]] = deque()

    def expanded() -> Iterator[Article]:
        for article in articles:
            if len(article.text) <= chunk_chars:
                plans.append((article, []))
                yield article
                continue
            chunks = split_text(article.text, chunk_chars)
            plans.append((article, [offset for offset, _ in chunks]))
            for offset, text in chunks:
                yield replace(article, text=text, origin=f"{article.origin} @{offset}")

    stream = extractor.extract(expanded())
    for extraction in stream:
        article, offsets = plans.popleft()
        if not offsets:
            yield extraction
            continue
        parts = [(offsets[0], extraction)]
        parts += [(offset, next(stream)) for offset in offsets[1:]]
        yield merge_extractions(article, parts)
