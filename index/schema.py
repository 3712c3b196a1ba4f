"""The Whoosh schema of the archive index: what is searchable, what is a facet, what is stored.

Stored fields are only what a hit shows (title, url, published, site) plus a zlib copy of the body
for snippets: the archive keeps everything else, and a compressed body is a third of the size of a
plain stored one.

Facets that a document can have several values of (place, province, program) keep those values in a
list column; single-valued ones (site, month) in a plain column. Columns let facet counting read a
document's values directly instead of inverting postings on every search.
"""

from __future__ import annotations

from whoosh import columns, fields

from jiwen.index.analyzer import chinese_analyzer
from jiwen.index.formats import ArrayPositions

TITLE_BOOST = 2.0
SEARCHED_FIELDS = ("title", "body")
FACETS = ("place", "province", "program", "site", "month")
# Separator of a keyword field's values; commas never occur in place or programme names.
KEYWORD_SEPARATOR = ","


class ListKeyword(fields.KEYWORD):
    """A comma-separated keyword field whose column keeps the document's values as a list."""

    def __init__(self) -> None:
        super().__init__(commas=True, sortable=True)
        # KEYWORD ignores a Column passed as `sortable` and always makes a plain bytes column.
        self.column_type = columns.VarBytesListColumn()

    def to_column_value(self, value):
        return [part.strip().encode("utf-8") for part in value.split(KEYWORD_SEPARATOR) if part.strip()]

    def from_column_value(self, value):
        return [part.decode("utf-8") for part in value]


class ArrayText(fields.TEXT):
    """A text field in `ArrayPositions`: its postings in one list straight from the format
    (Whoosh's `index()` passes each through two more generators)."""

    def index(self, value, **kwargs):
        if isinstance(value, str) and isinstance(self.format, ArrayPositions):
            return self.format.postings(value)
        return super().index(value, **kwargs)


def _text(analyzer, *, boost: float = 1.0, stored: bool = False) -> fields.TEXT:
    field = ArrayText(analyzer=analyzer, phrase=True, field_boost=boost, stored=stored)
    field.format = ArrayPositions(field_boost=boost)
    return field


def build_schema() -> fields.Schema:
    analyzer = chinese_analyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        url=fields.ID(stored=True),
        title=_text(analyzer, boost=TITLE_BOOST, stored=True),
        body=_text(analyzer),
        body_zlib=fields.STORED(),
        published=fields.STORED(),
        # yyyymmdd as an integer: numeric ranges use a few tiered terms instead of one term per day;
        # 0 for an undated article, which so sorts last when the newest come first.
        date=fields.NUMERIC(int, bits=32, signed=False, sortable=True, default=0, shift_step=4),
        month=fields.ID(sortable=True),
        site=fields.ID(stored=True, sortable=True),
        place=ListKeyword(),
        province=ListKeyword(),
        program=ListKeyword(),
        kinds=fields.KEYWORD(commas=True),
        facts=fields.NUMERIC(int, bits=32, signed=False),
        relevant=fields.BOOLEAN(),
    )
