"""The shared segmenter and pipeline: user words from the gazetteer and lexicon, a dedicated
jieba instance, a blank spaCy zh pipeline with rule components."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import jieba

from jiwen.extract.facts import pipeline
from jiwen.text.segmenter import USER_WORD_FREQUENCY, dictionary_frequency, segment, segmenter, user_words
from tests.extract.facts_fixtures import FIXTURES as FACT_FIXTURES_DIR


def test_place_and_programme_names_are_single_words():
    words = segment("黔东南州从江县开展春风行动")
    assert "黔东南州" in words and "春风行动" in words


def test_words_join_back_to_the_text_exactly():
    text = "近日， 黔东南州\n从江县 输送626名 workers。"
    assert "".join(segment(text)) == text


def test_the_user_words_stay_out_of_jiebas_global_dictionary():
    assert segmenter() is not jieba.dt
    jieba.initialize()
    assert dictionary_frequency("黔东南州") >= USER_WORD_FREQUENCY
    assert "黔东南州" not in jieba.dt.FREQ or jieba.dt.FREQ["黔东南州"] != dictionary_frequency("黔东南州")


def test_the_fast_segmenter_cuts_exactly_as_pure_python_jieba_with_the_same_words():

    reference = jieba.Tokenizer()
    reference.initialize()
    for word in user_words():
        reference.add_word(word, freq=max(USER_WORD_FREQUENCY, reference.FREQ.get(word) or 0))
    texts = [path.read_text("utf-8") for path in sorted(FACT_FIXTURES_DIR.glob("*.txt"))]
    assert len(texts) >= 10
    for text in texts:
        assert segment(text) == [word for word in reference.cut(text, HMM=False) if word]


def test_the_pipeline_is_a_blank_chinese_spacy_pipeline_with_rule_components():
    nlp = pipeline()
    assert nlp.lang == "zh"
    assert nlp.pipe_names == ["jiwen_programs", "jiwen_numbers", "jiwen_places", "jiwen_dates", "jiwen_orgs", "jiwen_people"]
    doc = nlp("从江县输送626名农村劳动力。")
    assert [t.text for t in doc][:2] == ["从江县", "输送"]


def test_the_doc_carries_the_facts_as_labelled_spans():
    from jiwen.extract.facts import facts_doc

    doc = facts_doc("黔东南州从江县输送626名农村劳动力。")
    assert {(span.text, span.label_) for span in doc.spans["jiwen_facts"]} >= {("黔东南州", "place"), ("626名农村劳动力", "count")}


def test_spacy_is_imported_for_real_without_its_command_line_tools():
    # In a fresh process: the pipeline runs on spaCy's own Language and Doc, `spacy.cli` (typer,
    # project tooling, downloads) is not loaded by it, and asking for it afterwards loads the real one.
    script = textwrap.dedent(
        """
        import sys
        from jiwen.extract.facts.extractor import pipeline
        nlp = pipeline()
        import spacy.language, spacy.tokens
        assert isinstance(nlp, spacy.language.Language), type(nlp)
        assert isinstance(nlp("从江县输送626名农村劳动力。"), spacy.tokens.Doc)
        print("cli loaded by the pipeline:", "spacy.cli" in sys.modules)
        import spacy.cli
        print("real cli:", hasattr(spacy.cli, "download"), hasattr(spacy.cli, "setup_cli"))
        print("info:", sorted(spacy.info(markdown=False))[:1] != [])
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == ["cli loaded by the pipeline: False", "real cli: True True", "info: True"]
