"""The ground floor: the data model, errors, JSON schemas, paths, locks, logs and process helpers.

Imports nothing else of jiwen; every other floor imports from here."""
