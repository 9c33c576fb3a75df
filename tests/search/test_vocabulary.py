"""The vocabulary file beside an index generation, and the words it suggests."""

from search.backends.vocabulary import Vocabulary


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
