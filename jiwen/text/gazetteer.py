"""The gazetteer: China's provinces, prefectures and counties (with adcodes), region words,
provincial one-character names, and foreign countries and cities — every written form a place
may take, for the segmenter's user words and for the fact rules that find places.

The data is JioNLP's (jionlp/dictionary/china_location.txt and world_location.txt), read straight
from the installed package rather than through `jionlp.china_location_loader()`: importing jionlp
costs about 0.6 s and its loader walks all 700,000 lines (down to villages) in Python, while one
regular expression over the file's bytes picks the 3,500 lines of the three levels we need in
about 0.1 s. jiwen/text/data/places.toml holds only what that data lacks (news short forms such
as 黔东南州, ordinary words to keep out, regions).

Building the table from that data and jieba's dictionary still takes a third of a second, so the
result is kept in jiwen's cache of derived data (`jiwen.text.cache`), keyed by the bytes of every
file it is built from; a process finds it there and only makes the `Place`s again.
"""

from __future__ import annotations

import functools
import re
from dataclasses import astuple, dataclass

from jiwen.text.cache import cached, file_signature
from jiwen.text.dictionary import frequent_words, jieba_dictionary_path
from jiwen.text.jionlp_data import data_file_path, read_data_file
from jiwen.text.rules import load_text_data, text_data_bytes

JIONLP_FILES = ("china_location.txt", "world_location.txt")

# china_location.txt: a tab-indented tree; depth 0/1/2 = province/prefecture/county, each line
# "full name<TAB>adcode<TAB>short name(s, '/'-separated)". Deeper lines (towns, villages) have no code.
LOCATION_LINE = re.compile(rb"^(\t{0,2})([^\t\r\n]+)\t(\d{6})\t([^\t\r\n]*)\r?$", re.MULTILINE)
LEVELS = ("province", "prefecture", "county")


@dataclass(frozen=True)
class Place:
    name: str
    level: str
    adcode: str | None = None
    province: str | None = None
    prefecture: str | None = None
    country: str | None = None  # for a foreign city: only to resolve names (西贡 in 越南 or 香港)


@dataclass
class Gazetteer:
    by_form: dict[str, list[Place]]  # any written form -> the places it may name
    abbreviations: dict[str, Place]  # one-character provincial names (context only)
    abbreviation_patterns: list[re.Pattern]
    provinces: dict[str, Place]
    openers: frozenset[str]  # first two characters of every form, to skip most long words fast


def _ordinary_words(rules: dict) -> dict[str, set[str]]:
    """Short names that jieba's dictionary knows, frequently, as something other than a name:
    per level, because a prefecture's short name (遵义, tagged a verb at 179) is far more often
    the place than a county's (灯塔, "lighthouse", a noun at 179)."""
    name_tags = tuple(rules["name_tags"])
    thresholds = rules["ordinary_word_min_frequency"]
    result: dict[str, set[str]] = {level: set() for level in thresholds}
    for word, frequency, tag in frequent_words(min(thresholds.values())):
        if tag.startswith(name_tags):
            continue
        for level, threshold in thresholds.items():
            if frequency >= threshold:
                result[level].add(word)
    return result


def _china_places() -> list[tuple[Place, list[str]]]:
    rules = load_text_data("places.toml")
    municipalities = set(rules["municipalities"]["names"])
    data = read_data_file("china_location.txt")
    places: list[tuple[Place, list[str]]] = []
    province = prefecture = None
    for match in LOCATION_LINE.finditer(data):
        depth = len(match.group(1))
        name = match.group(2).decode("utf-8")
        adcode = match.group(3).decode()
        aliases = [a for a in match.group(4).decode("utf-8").split("/") if a and a != name]
        if depth == 0:
            province, prefecture = name, None
            places.append((Place(name, "province", adcode, name, None), aliases))
        elif depth == 1:
            prefecture = name
            if name in municipalities:  # the city repeated as its own prefecture
                continue
            places.append((Place(name, "prefecture", adcode, province, name), aliases))
        else:
            places.append((Place(name, "county", adcode, province, prefecture), aliases))
    return places


def _world_places() -> list[tuple[Place, list[str]]]:
    rules = load_text_data("places.toml")
    skip = set(rules["foreign"]["ordinary_words"])
    places: list[tuple[Place, list[str]]] = []
    text = read_data_file("world_location.txt").decode("utf-8")
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or parts[0] in ("中国",):
            continue
        short, full, capital = parts[0], parts[1], parts[2]
        cities = parts[3].split("/") if len(parts) > 3 else []
        country = Place(short, "foreign")
        places.append((country, [form for form in (full,) if form not in skip]))
        for city in (capital, *cities):
            if city and city not in skip and city != short:
                places.append((Place(city, "foreign", country=short), []))
    for alias, country in rules["foreign"]["aliases"].items():
        places.append((Place(country, "foreign"), [alias]))
    for country, cities in rules["foreign"]["cities"].items():
        places.extend((Place(city, "foreign", country=country), []) for city in cities)
    return [(place, forms) for place, forms in places if place.name not in skip]


def sources() -> list[bytes]:
    """What stands for every file the gazetteer is built from in the key of its cached table."""
    packaged = [data_file_path(name) for name in JIONLP_FILES] + [jieba_dictionary_path()]
    return [text_data_bytes("places.toml"), *map(file_signature, packaged)]


def _build() -> dict:
    """The gazetteer as plain data (for the cache): its places as tuples, and every table as
    indexes into them."""
    rules = load_text_data("places.toml")
    alias_rules = rules["aliases"]
    listed = set(alias_rules["ordinary_words"])
    cities = set(alias_rules["city_names"])
    ordinary = {level: (words | listed) - cities for level, words in _ordinary_words(alias_rules).items()}
    variants: dict[str, list[str]] = rules["variants"]
    by_form: dict[str, list[Place]] = {}

    def add(form: str, place: Place) -> None:
        candidates = by_form.setdefault(form, [])
        if place not in candidates:
            candidates.append(place)

    china = _china_places()
    provinces = {place.name: place for place, _ in china if place.level == "province"}
    for place, aliases in china:
        add(place.name, place)
        for alias in aliases:
            if len(alias) >= alias_rules["min_length"] and alias not in ordinary.get(place.level, listed):
                add(alias, place)
            for ending, suffixes in variants.items():
                if place.name.endswith(ending) and len(alias) >= 2:
                    for suffix in suffixes:
                        add(alias + suffix, place)
    for place, forms in _world_places():
        add(place.name, place)
        for form in forms:
            add(form, place)
    for region in rules["regions"]:
        add(region, Place(region, "region"))

    abbreviations = {char: provinces[name] for char, name in rules["abbreviations"].items()}
    char_class = "[" + "".join(abbreviations) + "]"
    places: dict[Place, int] = {}
    for candidates in by_form.values():
        for place in candidates:
            places.setdefault(place, len(places))
    for place in (*abbreviations.values(), *provinces.values()):
        places.setdefault(place, len(places))
    return {
        "places": [astuple(place) for place in places],
        "by_form": {form: [places[place] for place in candidates] for form, candidates in by_form.items()},
        "abbreviations": {char: places[place] for char, place in abbreviations.items()},
        "abbreviation_patterns": [p.replace("{A}", char_class) for p in rules["abbreviation_contexts"]["patterns"]],
        "provinces": {name: places[place] for name, place in provinces.items()},
    }


@functools.cache
def gazetteer() -> Gazetteer:
    data = cached("gazetteer", sources, _build)
    places = [Place(*fields) for fields in data["places"]]
    by_form = {form: [places[i] for i in indexes] for form, indexes in data["by_form"].items()}
    return Gazetteer(
        by_form,
        {char: places[i] for char, i in data["abbreviations"].items()},
        [re.compile(pattern) for pattern in data["abbreviation_patterns"]],
        {name: places[i] for name, i in data["provinces"].items()},
        frozenset(form[:2] for form in by_form),
    )


def user_words() -> set[str]:
    """Every written form of a place, for the segmenter's user dictionary."""
    return {form for form in gazetteer().by_form if len(form) >= 2}


def province_named(name: str | None) -> Place | None:
    """The province (or autonomous region, municipality) a user's `name` means (陕西, 陕西省,
    广西, 新疆维吾尔自治区), or None when it names none or more than one."""
    if not name:
        return None
    found = {p.name for p in gazetteer().by_form.get(name.strip(), ()) if p.level == "province"}
    return gazetteer().provinces.get(found.pop()) if len(found) == 1 else None


@functools.cache
def province_by_adcode_prefix() -> dict[str, str]:
    """The province of each administrative code's first two digits (52 -> 贵州省)."""
    return {place.adcode[:2]: name for name, place in gazetteer().provinces.items() if place.adcode}
