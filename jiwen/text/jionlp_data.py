"""JioNLP's data files (gazetteer, character frequencies), read without importing jionlp.

`import jionlp` costs about 0.6 s and prints a banner, and JioNLP ships most of its dictionaries
zipped (china_location.zip, char_distribution.zip), unpacking them into site-packages the first time
it is imported. A fresh install that never imported jionlp has only the zips, so every reader here
takes the plain file when present and the member of the zip beside it otherwise.
"""

from __future__ import annotations

import zipfile
from importlib.util import find_spec
from pathlib import Path

from jiwen.core.errors import JiwenError


def dictionary_dir() -> Path:
    spec = find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise JiwenError("the jionlp package (gazetteer and character data) is missing; pip install 'jionlp>=1.5'")
    return Path(next(iter(spec.submodule_search_locations))) / "dictionary"


def data_file_path(name: str) -> Path:
    """Where jionlp/dictionary/<name> is read from: the file, else the zip beside it."""
    folder = dictionary_dir()
    plain = folder / name
    return plain if plain.exists() else folder / (Path(name).stem + ".zip")


def read_data_file(name: str) -> bytes:
    """The bytes of jionlp/dictionary/<name>, from the file or from <stem>.zip."""
    folder = dictionary_dir()
    plain = folder / name
    if plain.exists():
        return plain.read_bytes()
    archive = folder / (Path(name).stem + ".zip")
    try:
        with zipfile.ZipFile(archive) as opened:
            return opened.read(name)
    except (OSError, KeyError, zipfile.BadZipFile) as error:
        raise JiwenError(f"jionlp's data file {name} is missing or damaged ({error}); reinstall jionlp") from None
