"""The shared-analysis posting formats give exactly Whoosh's own postings, analysing each text once."""

from __future__ import annotations

from whoosh import formats

from jiwen.index import analyzer as analyzer_module
from jiwen.index.analyzer import chinese_analyzer
from jiwen.index.formats import SharedFrequency, SharedPositions
from tests.index.conftest import handmade_articles


def postings(format_, text: str) -> list[tuple]:
    return sorted(format_.word_values(text, chinese_analyzer(), mode="index"))


def test_positions_and_frequencies_equal_whoosh_s_own_formats():
    for article in handmade_articles():
        for boost in (1.0, 2.0):
            body = article.body
            assert postings(SharedPositions(field_boost=boost), body) == postings(formats.Positions(field_boost=boost), body)
            assert postings(SharedFrequency(field_boost=boost), body) == postings(formats.Frequency(field_boost=boost), body)


def test_the_second_field_of_the_same_text_does_not_analyse_it_again(monkeypatch):
    calls = []
    original = analyzer_module._cut
    monkeypatch.setattr(analyzer_module, "_cut", lambda text: calls.append(text) or original(text))
    body = "".join(article.body for article in handmade_articles())  # a string no earlier test analysed
    with_positions = postings(SharedPositions(), body)
    without = postings(SharedFrequency(), body)
    assert len(calls) == 1
    assert [(word, frequency) for word, frequency, _, _ in with_positions] == [(word, frequency) for word, frequency, _, _ in without]
    # A different text (even with equal content) is analysed afresh.
    postings(SharedFrequency(), "".join(reversed(body)))
    assert len(calls) == 2


def test_array_positions_give_whoosh_s_words_frequencies_weights_and_positions():
    from jiwen.index.formats import ArrayPositions

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
