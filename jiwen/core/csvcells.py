"""CSV cells made safe for spreadsheets. Page text goes into CSV exports (titles, sentences, place
names); a cell that starts with = + - @ (or a tab or carriage return, which some spreadsheets skip
before reading a formula) is run as a formula when the file is opened: `=HYPERLINK(...)` in a
title would become a live link that sends data away. As OWASP recommends, such a cell gets a
leading ' so it is shown as text. Only CSV is changed: the JSON formats keep the values as archived."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """`value` for a CSV cell: None as an empty cell, formula-like text with a leading '; numbers
    as they are (a negative number is a number, not a formula)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_safe_row(values) -> list:
    return [spreadsheet_safe(value) for value in values]
