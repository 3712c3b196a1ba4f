"""The array posting format gives exactly Whoosh's own words, frequencies, weights and positions."""

from __future__ import annotations

from whoosh import formats

from jiwen.index.analyzer import chinese_analyzer
from jiwen.index.formats import ArrayPositions
from tests.index.conftest import handmade_articles


def test_array_positions_give_whoosh_s_words_frequencies_weights_and_positions():
    checked = 0
    for article in handmade_articles():
        for text in (article.title, article.body):
            for boost in (1.0, 2.0):
                ours, whoosh = ArrayPositions(field_boost=boost), formats.Positions(field_boost=boost)
                expected = sorted(
                    (word, frequency, weight, whoosh.decode_positions(value))
                    for word, frequency, weight, value in whoosh.word_values(text, chinese_analyzer(), mode="index")
                )
                found = sorted(
                    (word, frequency, weight, ours.decode_positions(value))
                    for word, frequency, weight, value in ours.word_values(text, chinese_analyzer(), mode="index")
                )
                assert found == expected
                # What a field's index() takes: the same postings, terms as UTF-8, in one list.
                assert sorted(ours.postings(text)) == sorted(
                    (word.encode("utf-8"), frequency, weight, value)
                    for word, frequency, weight, value in ours.word_values(text, chinese_analyzer(), mode="index")
                )
                assert all(ours.decode_frequency(value) == frequency for _, frequency, _, value in ours.postings(text))
                checked += len(expected)
    assert checked > 200
