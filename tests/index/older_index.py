"""Indexes as jiwen wrote them before `JiwenCodec`, for the tests that check they are refused.

Such an index indexed title and body a second time without positions for scoring (`title_bag`,
`body_bag`), in posting formats pickled in its schema as `jiwen.index.formats.SharedPositions` and
`SharedFrequency` (classes jiwen no longer has), and wrote its segments in Whoosh's own codec.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from whoosh import fields, formats
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import NO_MERGE, SegmentWriter

from jiwen.core.models import ArchivedArticle
from jiwen.index import formats as formats_module
from jiwen.index.analyzer import chinese_analyzer
from jiwen.index.documents import article_document
from jiwen.index.schema import TITLE_BOOST, build_schema
from jiwen.index.store import storage


class SharedPositions(formats.Positions):
    """Whoosh's Positions under the name the older jiwen pickled it with."""


class SharedFrequency(formats.Frequency):
    """Whoosh's Frequency under the name the older jiwen pickled it with."""


for _format in (SharedPositions, SharedFrequency):
    _format.__module__ = "jiwen.index.formats"


def _older_schema(positions: type[formats.Format], frequency: type[formats.Format]) -> fields.Schema:
    schema = build_schema()
    for name, boost, stored in (("title", TITLE_BOOST, True), ("body", 1.0, False)):
        schema.remove(name)
        for fieldname, format_ in ((name, positions), (f"{name}_bag", frequency)):
            field = fields.TEXT(
                analyzer=chinese_analyzer(), phrase=format_ is positions, field_boost=boost, stored=stored and fieldname == name
            )
            field.format = format_(field_boost=boost)
            schema.add(fieldname, field)
    return schema


def write_older_index(folder: Path, articles: Iterable[ArchivedArticle], *, gone_formats: bool = True) -> None:
    """An index of `articles` in `folder` as the older jiwen wrote it. `gone_formats`: its schema
    names the formats jiwen has since dropped (so unpickling it fails), else Whoosh's own (so it
    opens, and its bag fields and codec give it away)."""
    folder.mkdir(parents=True)
    with pytest.MonkeyPatch.context() as patch:
        if gone_formats:
            patch.setattr(formats_module, "SharedPositions", SharedPositions, raising=False)
            patch.setattr(formats_module, "SharedFrequency", SharedFrequency, raising=False)
            schema = _older_schema(SharedPositions, SharedFrequency)
        else:
            schema = _older_schema(formats.Positions, formats.Frequency)
        index = storage(folder).create_index(schema)
        writer = SegmentWriter(index, codec=W3Codec())
        for article in articles:
            document = article_document(article)
            document["title_bag"], document["body_bag"] = document["title"], document["body"]
            writer.add_document(**document)
        writer.commit(mergetype=NO_MERGE)
