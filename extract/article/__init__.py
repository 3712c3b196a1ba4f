"""Page -> article: decode the bytes, tell HTML from a text dump, find the headline, date, byline
and main text, drop the chrome (sidebars, related headlines, navigation), normalize.

`page.py` holds the entry point; one module per concern beside it (encoding, html, main_text,
headline, pubdate, metadata, byline, chrome, sidebar, boilerplate, damage, text_dump).
"""

from jiwen.extract.article.page import extract_article

__all__ = ["extract_article"]
