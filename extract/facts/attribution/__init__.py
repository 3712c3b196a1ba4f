"""Attribution of figures (what, where, when): `figures.attribute` fills it; see its docstring."""
