"""The one generic spider (news.py); sites differ by configuration (sites.toml), not by subclass."""
