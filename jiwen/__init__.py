"""纪闻 jiwen: archive, extract and search Chinese provincial employment news."""

__version__ = "0.1.0"
