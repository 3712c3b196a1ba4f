"""政府信息公开 (government information disclosure) pages put the document's metadata in a table
before the headline: 索引号, 发布机构, 成文日期/发文日期, 发布日期, 文号, 主题分类, often 名称 too.
read_document_table() reads it (labels in extract/data/govdoc.toml) so the article gets its
`doc_number` (人社部发〔2023〕12号), `issuer` and dates, and the agency name printed above the
headline is not taken for the title."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

# Where label and value sit: table cells, definition lists, list items, spans of a div layout.
_LABEL_TAGS = ("td", "th", "dt", "dd", "li", "span", "label", "strong", "b", "em", "p", "div", "font")
_MAX_ELEMENTS = 4000  # the table sits near the top; a huge page is not walked to its end
_SEPARATOR = re.compile(r"^\s*([^:：]{1,8}?)\s*[:：]\s*(.*)$", re.DOTALL)
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_SPACES = re.compile(r"\s+")


@dataclass
class DocumentMetadata:
    index_number: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    written: str | None = None  # YYYY-MM-DD
    published: str | None = None  # YYYY-MM-DD
    topic: str | None = None
    name: str | None = None
    labels_found: set[str] = field(default_factory=set)


@lru_cache(maxsize=1)
def _rules() -> tuple[dict[str, str], int]:
    raw = tomllib.loads(resources.files("jiwen.extract.data").joinpath("govdoc.toml").read_text("utf-8"))
    by_label = {_squash(label): name for name, labels in raw["labels"].items() for label in labels}
    return by_label, int(raw["min_labels"])


def read_document_table(root) -> DocumentMetadata | None:
    """The document metadata of a 信息公开 page, or None when the page has no such table."""
    by_label, min_labels = _rules()
    found = DocumentMetadata()
    for count, element in enumerate(root.iter(*_LABEL_TAGS)):
        if count >= _MAX_ELEMENTS:
            break
        own = _text(element)
        if not own or len(own) > 200:
            continue
        label, value = _squash(own).rstrip(":："), None
        name = by_label.get(label)
        if name is None:
            match = _SEPARATOR.match(own)
            if match and len(element) == 0:  # <li>文号：测人社发〔2024〕12号</li>, not a container
                name, value = by_label.get(_squash(match.group(1))), match.group(2).strip()
        else:
            neighbour = element.getnext()
            value = _text(neighbour) if neighbour is not None else None
        if name is None or not value or name in found.labels_found:
            continue
        found.labels_found.add(name)
        if name in ("written", "published"):
            setattr(found, name, _iso_date(value))
        else:
            setattr(found, name, _SPACES.sub(" ", value).strip()[:200])
    return found if len(found.labels_found) >= min_labels else None


def _text(element) -> str:
    return _SPACES.sub(" ", "".join(element.itertext())).strip()


def _squash(text: str) -> str:
    return "".join(text.split())


def _iso_date(value: str) -> str | None:
    match = _DATE.search(value)
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"
