"""How rows hold models: msgspec JSON for articles and facts, zstd for page bytes."""

from __future__ import annotations

import msgspec
import zstandard

from jiwen.core.models import Article, Fact

ARTICLE_ENCODER = msgspec.json.Encoder()
ARTICLE_DECODER = msgspec.json.Decoder(Article)
FACT_DECODER = msgspec.json.Decoder(Fact)
COMPRESSOR = zstandard.ZstdCompressor(level=6)
DECOMPRESSOR = zstandard.ZstdDecompressor()
