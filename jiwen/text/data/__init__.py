"""Data files of the text tools (TOML), read with importlib.resources."""
