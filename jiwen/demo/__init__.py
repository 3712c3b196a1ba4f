"""The demo: a small sample provincial news site (site/) and the server that serves it (server.py)."""
