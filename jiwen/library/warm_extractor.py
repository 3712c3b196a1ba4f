"""Imported for its effect, by the fork server of the extraction processes (see extractors.py):
importing this module loads the extractor (spaCy's blank pipeline, jieba's dictionary with the
project's words, the gazetteer and patterns), so every process forked from the server starts with
it loaded. Nothing else imports it."""

import logging

from jiwen.library.extractors import warm_up

try:
    warm_up()
except Exception:  # each process meets the same problem on its first page and reports it there
    logging.getLogger(__name__).exception("warming up the extraction processes' fork server failed")
