"""The Whoosh backend's WordAnalyzer gives the tokens of Whoosh's own chain of components
(search/backends/whoosh_analysis.py), in every way the backend and Whoosh call it."""

import pickle
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import formats, index

from search.backends.whoosh import make_schema
from search.backends.whoosh_analysis import (
    WORD_PATTERN_POSSESSIVE,
    WordAnalyzer,
    WordPositions,
    one_word,
    stock_analyzer,
)
from search.query import WORD_PATTERN

# Letters with and without accents, capitals, Greek (final sigma), Arabic, digits, the
# underscore the pattern leaves out, both apostrophes, dashes, stop words and short words.
PIECES = st.sampled_from(
    [
        "the", "of", "a", "I", "to", "Deir", "ez", "Zor", "Kirkuk's", "Kirkuk’s", "’s",
        "Zürich", "ÉRBIL", "straße", "ΟΔΟΣ", "Σ", "قال", "1948", "x_y", "__", "running",
        "runs", "ran", "Cafe\u0301", "ﬁnal", "it's", "'", "-", "–", " ", "  ", "\n\n",
        ".", ",", "\t", "(AFP)", "don't",
    ]
)  # fmt: skip
TEXTS = st.lists(PIECES, max_size=40).map("".join) | st.text(max_size=80)


def _tokens(analyzer, text: str, **options) -> list[tuple]:
    return [
        (t.text, t.stopped, getattr(t, "pos", None), getattr(t, "startchar", None),
         getattr(t, "endchar", None), t.boost)
        for t in analyzer(text, **options)
    ]  # fmt: skip


OPTIONS = st.fixed_dictionaries(
    {
        "positions": st.booleans(),
        "chars": st.booleans(),
        "removestops": st.booleans(),
        "start_pos": st.integers(0, 5),
        "start_char": st.integers(0, 5),
        "mode": st.sampled_from(["", "index", "query"]),
    }
)

_ANALYZER = WordAnalyzer()  # one memory across examples, as in a process


@settings(max_examples=400, deadline=None)
@given(text=TEXTS, options=OPTIONS)
def test_word_analyzer_gives_the_tokens_of_whooshs_own_chain(text, options):
    assert _tokens(_ANALYZER, text, **options) == _tokens(stock_analyzer(), text, **options)


def test_it_gives_them_from_memory_after_the_first_time():
    analyzer = WordAnalyzer()
    first = _tokens(analyzer, "Running runs of the Kirkuk's runs", positions=True)
    assert set(analyzer._known) == {"Running", "runs", "of", "the", "Kirkuk's"}
    analyzer.chain = None  # what is remembered needs no analysis
    assert _tokens(analyzer, "Running runs of the Kirkuk's runs", positions=True) == first
    assert first == _tokens(stock_analyzer(), "Running runs of the Kirkuk's runs", positions=True)


def test_what_it_remembers_stays_bounded(monkeypatch):
    monkeypatch.setattr("search.backends.whoosh_analysis.MAX_REMEMBERED_WORDS", 3)
    analyzer = WordAnalyzer()
    list(analyzer("one two three four five six seven"))
    assert len(analyzer._known) <= 3


def test_the_index_keeps_the_analyzer_without_its_memory(tmp_path):
    """Whoosh pickles the schema into every commit's table of contents: the words an
    analyzer remembers stay out of it, and the index opens with a working WordAnalyzer."""
    analyzer = WordAnalyzer()
    list(analyzer("Deir ez-Zor " * 50 + " ".join(f"word{n}" for n in range(1000))))
    assert pickle.dumps(analyzer) == pickle.dumps(WordAnalyzer())
    schema = make_schema()
    ix = index.create_in(str(tmp_path), schema)
    with ix.writer() as writer:
        writer.add_document(id="1", title="Fighting in Deir ez-Zor", body="The army advanced.")
    opened = index.open_dir(str(tmp_path)).schema["body"].analyzer
    assert isinstance(opened, WordAnalyzer)
    assert opened == schema["body"].analyzer
    assert [t.text for t in opened("The army advanced")] == ["armi", "advanc"]
    with index.open_dir(str(tmp_path)).searcher() as searcher:
        assert searcher.document(id="1")["title"] == "Fighting in Deir ez-Zor"


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, boost=st.sampled_from([1.0, 1.5, 3.0]))
def test_word_positions_gives_the_postings_of_whooshs_positions_format(text, boost):
    ours = WordPositions(field_boost=boost).word_values(text, _ANALYZER, mode="index")
    stock = formats.Positions(field_boost=boost).word_values(text, stock_analyzer(), mode="index")
    assert list(ours) == list(stock)


def test_an_index_made_with_them_holds_what_whooshs_own_analysis_makes(tmp_path):
    texts = [
        "Syrian army and backers fight into Deir ez-Zor from the south",
        "The Syrian army, along with its allies, advanced on Deir ez-Zor’s airport.",
        "ERBIL, Kurdistan Region – Kirkuk's governor said the talks of the day failed.",
    ]

    def postings(schema, name: str) -> list:
        ix = index.create_in(str(tmp_path / name), schema)
        with ix.writer() as writer:
            for number, text in enumerate(texts):
                writer.add_document(id=str(number), title=text, body=text * 3, dateline=text)
        with ix.reader() as reader:
            return [
                (field, term, [(m.id(), m.weight(), m.value()) for m in _walk(reader, field, term)])
                for field, term in reader.all_terms()
            ]

    (tmp_path / "ours").mkdir()
    (tmp_path / "stock").mkdir()
    ours = postings(make_schema(), "ours")
    assert ours == postings(make_schema(stock_analyzer()), "stock")
    assert len(ours) > 40


def _walk(reader, field, term):
    matcher = reader.postings(field, term)
    while matcher.is_active():
        yield matcher
        matcher.next()


# Porter's steps (one word of each rule or so), their capitals, possessives, stop words,
# words the stop filter finds too short once the possessive is gone, accents and digits.
STEMMED = [
    *("caresses", "ponies", "ties", "caress", "cats", "feed", "agreed", "plastered", "bled"),
    *("motoring", "sing", "conflated", "troubled", "sized", "hopping", "tanned", "falling"),
    *("hissing", "fizzed", "failing", "filing", "happy", "sky", "relational", "conditional"),
    *("valenci", "hesitanci", "digitizer", "conformabli", "radicalli", "differentli"),
    *("vietnamization", "predication", "operator", "feudalism", "decisiveness"),
    *("hopefulness", "callousness", "formaliti", "sensitiviti", "sensibiliti", "triplicate"),
    *("formative", "formalize", "electriciti", "electrical", "hopeful", "goodness", "revival"),
    *("allowance", "inference", "airliner", "gyroscopic", "adjustable", "defensible"),
    *("irritant", "replacement", "adjustment", "dependent", "adoption", "homologou"),
    *("communism", "activate", "angulariti", "homologous", "effective", "bowdlerize"),
    *("probate", "rate", "cease", "controll", "roll", "skies", "dying", "news", "generously"),
    *("the", "The", "THE", "of", "a", "I", "x", "x's", "it's", "don't", "O'Brien"),
    *("Kirkuk's", "Kirkuk’s", "Déir", "ÉLECTIONS", "Zürich's", "straße", "ΟΔΟΣ", "2024"),
]  # fmt: skip


def test_one_word_is_analysed_as_the_chain_analyses_it():
    """The chain's filters run as plain calls for one word give the chain's token."""
    chain = stock_analyzer()
    words = [*STEMMED, *(word.capitalize() for word in STEMMED), *(w.upper() for w in STEMMED)]
    for word in words:
        (token,) = chain(word, removestops=False)
        assert one_word(chain, word) == (token.text, token.stopped), word


@settings(max_examples=400, deadline=None)
@given(text=TEXTS)
def test_the_possessive_pattern_cuts_the_words_the_chains_pattern_cuts(text):
    ours, chains = re.compile(f"({WORD_PATTERN_POSSESSIVE})"), re.compile(f"({WORD_PATTERN})")
    assert ours.split(text) == chains.split(text)
