"""`jiwen serve`: the archive in a browser. A thin layer over the library (search, export,
trends, runs): its JSON and the CLI's come from the same calls, its templates hold no rules."""
