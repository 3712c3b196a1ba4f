def find_dates(tokens):
    return []
