"""The library: what the CLI, the web layer and the scheduler call. It wires the stages (crawler,
extract, index, store) into jobs: the page pipeline, indexing, ingest, search, export, indicators,
trends, site health and maintenance. Usable without the CLI."""
