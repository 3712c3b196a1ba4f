"""Imported for its effect, by the fork server of the extraction processes (see extractors.py):
importing this module loads the extractor (spaCy's blank pipeline, jieba's dictionary with the
project's words, the gazetteer and patterns), so every process forked from the server starts with
it loaded. Nothing else imports it.

It also ties the server's life to the process that started it (the page pipeline, `jiwen
reextract`; from its main thread). The server ends when every holder of its pipe has closed it,
and the processes it forks hold it too (so that they could ask it for processes of their own):
killed, the starter would leave the server and its extraction processes waiting for each other
for ever. With the kernel's parent-death signal the server dies with its starter, and its
processes with it (theirs is the server: `become_worker(os.getppid())`).
"""

import logging
import os

from jiwen.core.processes import die_with_parent
from jiwen.library.extractors import warm_up

die_with_parent(os.getppid())
_SERVER = os.getpid()


def _die_with_the_server() -> None:
    # In each process the server forks, first thing after the fork: a process still starting
    # (not yet at its initializer's become_worker) when the server died would otherwise wait
    # for work for ever. The server's pid is known here, so a server already gone is seen.
    if os.getpid() != _SERVER:
        die_with_parent(_SERVER)


os.register_at_fork(after_in_child=_die_with_the_server)
try:
    warm_up()
except Exception:  # each process meets the same problem on its first page and reports it there
    logging.getLogger(__name__).exception("warming up the extraction processes' fork server failed")
