"""The vocabulary file beside an index generation, and the words it suggests."""

from datetime import UTC, datetime
from pathlib import Path

from search import spelling
from search.backends.vocabulary import Vocabulary
from search.documents import SearchDocument
from search.query import parse_query
from search.spelling import corrections_for, replace_words, vocabulary_of


def test_suggestions_are_the_closest_known_words_then_alphabetical(tmp_path):
    vocabulary = Vocabulary(tmp_path)
    vocabulary.add({"government", "governments", "governor", "parliament", "ceasefire"})
    assert vocabulary.suggest("goverment") == ["government", "governments"]  # 1, 2 edits
    assert vocabulary.suggest("parliment") == ["parliament"]
    assert vocabulary.suggest("ceasfire") == ["ceasefire"]


def test_no_suggestion_beyond_two_edits_or_from_an_empty_vocabulary(tmp_path):
    vocabulary = Vocabulary(tmp_path)
    assert vocabulary.suggest("anything") == []
    vocabulary.add({"reconstruction"})
    assert vocabulary.suggest("reconstuction") == ["reconstruction"]  # one edit
    assert vocabulary.suggest("recnstuctin") == []  # three edits
    assert vocabulary.suggest("construct") == []  # five letters shorter


def test_two_letters_swapped_are_one_edit(tmp_path):
    vocabulary = Vocabulary(tmp_path)
    vocabulary.add({"syria", "sari"})
    assert vocabulary.suggest("syrai") == ["syria", "sari"]  # one edit, two


def test_the_most_common_of_the_nearest_words_wins_however_many_come_before_it(tmp_path):
    vocabulary = Vocabulary(tmp_path)
    rare = {f"ra{c}a" for c in "bcdefghijklmnop"} | {f"{c}aqa" for c in "abcdefghij"}
    vocabulary.add(rare | {"raqqa"})  # every rare word one edit away, and before it

    def articles_with(word: str) -> int:
        return 10 if word == "raqqa" else 1

    assert corrections_for(parse_query("raqa"), vocabulary, articles_with) == {"raqa": "raqqa"}
    assert corrections_for(parse_query("raqa"), vocabulary) == {"raqa": "aaqa"}  # alphabetical


def test_the_nearest_words_are_all_those_at_the_fewest_edits(tmp_path):
    vocabulary = Vocabulary(tmp_path)
    vocabulary.add({"raqqa", "aaqa", "rana", "raqqas", "ranas"})  # 1, 1, 1, 2, 2 edits away
    assert vocabulary.nearest("raqa") == ["aaqa", "rana", "raqqa"]
    assert vocabulary.nearest("raqqas") == ["raqqas"]  # a known word is its own nearest
    assert vocabulary.nearest("zzzzzz") == []
    # The words a correction weighs: every one at the fewest edits, not the first three.
    assert vocabulary.suggest("raqa") == ["aaqa", "rana", "raqqa"]
    vocabulary.add({"raga", "rama", "saqa"})
    assert vocabulary.nearest("raqa") == ["aaqa", "raga", "rama", "rana", "raqqa", "saqa"]
    assert len(vocabulary.suggest("raqa")) == 3


def test_corrections_leave_field_names_and_filter_values_alone():
    corrections = {"foo": "for", "bar": "baar", "garbage": "arbafe", "title": "titale"}
    assert replace_words('foo:bar after:garbage -tag:"garbage x" garbage title:', corrections) == (
        'foo:bar after:garbage -tag:"garbage x" arbafe title:'
    )
    # A title's words are words: title:garbage is searched in titles, and corrected.
    assert replace_words("title:garbage (garbage)", corrections) == "title:arbafe (arbafe)"


def test_at_most_three_suggestions(tmp_path):
    vocabulary = Vocabulary(tmp_path)
    vocabulary.add({"bat", "cat", "hat", "mat", "rat"})
    assert vocabulary.suggest("xat") == ["bat", "cat", "hat"]


def test_words_added_by_another_process_are_seen(tmp_path):
    reader, writer = Vocabulary(tmp_path), Vocabulary(tmp_path)
    writer.add({"drought"})
    assert "drought" in reader
    writer.add({"harvest"})
    assert reader.suggest("harvset") == ["harvest"]


def _documents(*bodies: str) -> list[SearchDocument]:
    return [
        SearchDocument(
            article_id=number, title="Report", body=body, dateline="", tag_names=("Déir ez-Zor",),
            tag_slugs=(), outlet_slug="x", outlet_name="", region_ids=(), language="en",
            published_at=datetime(2020, 1, 1, tzinfo=UTC),
        )
        for number, body in enumerate(bodies)
    ]  # fmt: skip


def test_pending_words_merge_the_documents_words_reading_each_chunk_once(tmp_path, monkeypatch):
    read: list[str] = []
    original = spelling.words_in

    def spying(chunks):
        read.extend(chunks)
        return original(chunks)

    monkeypatch.setattr(spelling, "words_in", spying)  # where ChunksSeen looks it up
    vocabulary = Vocabulary(tmp_path)
    first = _documents("The army, along with allies, advanced.", "Allies advanced on Raqqa.")
    second = _documents("The army advanced on Raqqa's airport.")
    words = vocabulary.pending()
    words.gather(first)
    words.merge()
    assert "advanced" in vocabulary
    later = vocabulary.pending()
    later.gather(second)
    later.gather(second)
    later.merge()
    assert len(read) == len(set(read))  # no chunk read twice, across writes and batches
    assert "airport." in read
    assert set(Path(tmp_path, "VOCABULARY").read_text().split()) == vocabulary_of(first + second)


def test_words_lost_from_the_file_are_merged_again(tmp_path):
    vocabulary = Vocabulary(tmp_path)
    documents = _documents("Drought ruined the harvest in Kirkuk province.")
    words = vocabulary.pending()
    words.gather(documents)
    words.merge()
    Path(tmp_path, "VOCABULARY").write_text("drought")  # damaged: words lost
    assert "harvest" not in vocabulary
    again = vocabulary.pending()
    again.gather(documents)
    again.merge()
    assert "harvest" in vocabulary


def test_chunks_seen_forgets_past_its_bound_and_gives_their_words_again(monkeypatch):
    monkeypatch.setattr(spelling, "MAX_CHUNKS_SEEN", 8)  # the first text holds 6
    seen = spelling.ChunksSeen()
    first = _documents("Drought in Kirkuk.")

    assert seen.new_words(first) == vocabulary_of(first) >= {"drought", "kirkuk"}
    assert seen.new_words(first) == set()  # seen: not read again
    seen.new_words(_documents("Floods hit Mosul badly."))  # past the bound: forgotten first
    assert seen.chunks == {"Floods", "hit", "Mosul", "badly."}
    assert seen.new_words(first) == vocabulary_of(first)
