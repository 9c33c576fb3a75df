"""Comment screening: any comment the form lets through gets a screening (flags, a score,
character ranges inside the comment, a decision only from the checks that may decide), and
a listed word is found however it is hidden."""

import pytest
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from archive.models.comments import RejectionReason
from moderation.forms import CommentForm
from moderation.screening import DECIDING_CHECKS, Flag, Screening, Submission, screen
from moderation.wordlists import BANNED_WORDS
from moderation.words import WordList
from tests.factories import make_article
from tests.properties.strategies import WITH_FIXTURES, printable_text, sentence

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db):
    return make_article(title="Syrian army advances on Deir ez-Zor")


def leet(word: str) -> st.SearchStrategy[str]:
    """The ways readers hide a word: spaced, dotted, stretched (a letter doubled is another
    word: "annal" is not "anal"), upper case."""
    return st.sampled_from(
        [word, word.upper(), " ".join(word), ".".join(word), "-".join(word), word[0] * 2 + word]
    )


comment_text = st.one_of(
    printable_text,
    st.lists(
        st.one_of(sentence, printable_text, st.sampled_from(sorted(BANNED_WORDS)).flatmap(leet)),
        max_size=6,
    ).map(" ".join),
    st.text(alphabet="ab !.", min_size=200, max_size=3000),  # spaced letters, up to the limit
)


@WITH_FIXTURES
@given(
    name=printable_text,
    email=st.emails() | printable_text,
    body=comment_text,
    website=st.sampled_from(["", "http://spam"]),
)
def test_any_comment_the_form_takes_gets_a_screening(article, name, email, body, website):
    data = QueryDict(mutable=True)
    data.update({"author_name": name, "author_email": email, "body": body, "website": website})
    form = CommentForm(data, article=article)
    form.is_valid()  # the stamp is missing, so never valid: only the fields' cleaning counts
    if not {"author_name", "author_email", "body"} <= form.cleaned_data.keys():
        return
    submitted = form.submission()

    screening = screen(Submission(article, **submitted, honeypot_filled=form.honeypot_filled))

    assert isinstance(screening, Screening)
    assert set(screening.flags) <= set(Flag.values)
    assert screening.score >= 0
    length = len(submitted["body"])
    for start, end in screening.spans:
        assert 0 <= start < end <= length
    assert screening.spans == sorted(screening.spans)
    assert all(a[1] < b[0] for a, b in zip(screening.spans, screening.spans[1:], strict=False))
    if screening.rejection:
        assert screening.rejection.reason in RejectionReason.values
        assert {Flag.HONEYPOT, Flag.BANNED_WORD} & set(screening.flags)


@WITH_FIXTURES
@given(st.sampled_from(sorted(BANNED_WORDS)).flatmap(leet), sentence, sentence)
def test_a_banned_word_is_found_however_it_is_hidden(article, hidden, before, after):
    screening = screen(Submission(article, "Ann", "ann@example.com", f"{before} {hidden} {after}"))
    assert Flag.BANNED_WORD in screening.flags
    assert screening.rejection is not None


def test_a_long_run_of_spaced_letters_is_screened_in_linear_work(monkeypatch):
    # Each start of a run of spaced letters was tried against every end: a comment of
    # 1,500 spaced letters (3,000 characters, the form's limit) took 18 s to screen.
    words = WordList(BANNED_WORDS)
    calls = []
    listed_word = WordList._listed_word
    monkeypatch.setattr(
        WordList, "_listed_word", lambda self, folded: calls.append(1) or listed_word(self, folded)
    )
    letters = 1500
    words.find(" ".join("abcdefghij"[i % 10] for i in range(letters)))
    longest = max(map(len, words.words))
    assert len(calls) <= letters * (2 * longest + 1)
    assert DECIDING_CHECKS  # the deciding checks are the ones the property above trusts
