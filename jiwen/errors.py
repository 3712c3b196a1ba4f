"""Errors a user can meet. Each carries a one-line message that says what went wrong and what to
do; the CLI prints it as `jiwen: <message>` and exits 1. Anything else is a bug (traceback)."""


class JiwenError(Exception):
    """Base of every handled error."""


class ExtractionError(JiwenError):
    """The input cannot become an article: binary, empty, undecodable."""


class QuerySyntaxError(JiwenError):
    """A search query Whoosh cannot parse."""


class ArchiveLockedError(JiwenError):
    """Another process holds the archive's writer lock."""


class ConfigError(JiwenError):
    """sites.toml or another configuration file is wrong."""


class ArchiveError(JiwenError):
    """The archive folder or its database cannot be used."""
