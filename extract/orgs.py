def find_orgs(tokens):
    return []
