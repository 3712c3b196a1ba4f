def find_people(tokens):
    return []
