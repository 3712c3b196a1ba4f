from jiwen.extract.article import charfreq

EMPLOYMENT_SENTENCE = "全县新增城镇就业岗位一千二百个，稳岗补贴按时发放到企业。"


def test_the_distribution_loads_even_where_jionlp_only_ships_it_zipped():
    # A fresh install that never imported jionlp has char_distribution.zip, not the .json.
    assert charfreq.available()


def _han(text: str) -> list[str]:
    return [character for character in text if charfreq.is_han(character)]


def test_no_character_of_an_ordinary_news_sentence_is_rare():
    assert _han(EMPLOYMENT_SENTENCE)
    assert [character for character in EMPLOYMENT_SENTENCE if charfreq.is_rare(character)] == []


def test_utf8_bytes_read_as_gbk_are_mostly_rare_characters():
    mojibake = EMPLOYMENT_SENTENCE.encode("utf-8").decode("gbk", errors="replace")
    han = _han(mojibake)
    rare = [character for character in han if charfreq.is_rare(character)]
    assert len(rare) * 2 > len(han)


def test_a_traditional_character_counts_as_its_simplified_form():
    assert charfreq.char_count("崗") == charfreq.char_count("岗")
    assert charfreq.char_count("崗") >= charfreq.RARE_BELOW


def test_a_character_outside_the_corpus_counts_zero_and_is_rare():
    assert charfreq.char_count("\U0002a6a5") == 0
    assert charfreq.is_rare("\U0002a6a5")


def test_latin_letters_digits_and_punctuation_are_never_rare():
    for character in "A7，。%":
        assert not charfreq.is_han(character)
        assert not charfreq.is_rare(character)


def test_han_ranges_include_extension_a_and_b():
    assert charfreq.is_han("㐀")  # U+3400, extension A
    assert charfreq.is_han("\U00020000")  # extension B
    assert charfreq.is_han("就")
    assert not charfreq.is_han("ア")
