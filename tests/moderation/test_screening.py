"""The screening table: what each kind of comment gets flagged with, and what is decided."""

import pytest

from archive.models import Comment
from archive.models.comments import RejectionReason
from moderation.screening import (
    PIPELINE,
    CheckResult,
    Flag,
    Submission,
    check_honeypot,
    screen,
    toxicity,
)
from moderation.services import reject_comment
from moderation.words import WordList
from tests.factories import make_article

from .conftest import make_comment

pytestmark = pytest.mark.django_db

CLEAN = [
    "I was in Raqqa in 2016 and this matches what I saw. Thanks for the careful reporting.",
    "The analysis of the assassination attempt is thorough, if a little long.",
    "We had a cocktail in Scunthorpe while reading this. Cheers from Lincolnshire!",
    "The classic assessment: passable, but the class of 2017 deserves better.",
    "Hello from Dickens country; Essex and Sussex readers will disagree.",
    "The army reached the city on 2017-08-15; the 455 families there were moved.",
    "Between 2016 2017 2018 the front barely moved.",
    "I disagree with the author, but it is a fair piece.",
    "NO WAY",  # short: not shouting
]


@pytest.mark.parametrize("body", CLEAN)
def test_clean_comments_get_no_flags(article, body):
    screening = screen(Submission(article, "Ann", "ann@example.com", body))

    assert screening.flags == []
    assert screening.spans == []
    assert screening.rejection is None
    assert screening.score < 0.5


# body, the flags it must get (exactly), the automatic rejection reason or None, flagged text.
TABLE = [
    ("This is sh1t reporting.", ["suspect_word"], None, ["sh1t"]),
    ("What a load of bullshit", ["suspect_word", "toxic"], None, ["bullshit"]),
    ("f u c k this article", ["banned_word"], RejectionReason.PROFANITY, ["f u c k"]),
    ("F.U.C.K the army", ["banned_word"], RejectionReason.PROFANITY, ["F.U.C.K"]),
    ("fuuuuck", ["banned_word"], RejectionReason.PROFANITY, ["fuuuuck"]),
    (
        "You fucking idiot",
        ["banned_word", "suspect_word", "toxic"],
        RejectionReason.PROFANITY,
        ["fucking", "idiot"],
    ),
    ("Scunthorpe is full of cunts", ["banned_word", "toxic"], RejectionReason.VULGARITY, ["cunts"]),
    ("The author is a moron.", ["suspect_word", "toxic"], None, ["moron"]),
    ("what an a$$hole", ["suspect_word", "toxic"], None, ["a$$hole"]),
    ("s h 1 t reporting", ["suspect_word"], None, ["s h 1 t"]),
    (
        "Cheap flights at https://cheap.example/deals now",
        ["link"],
        None,
        ["https://cheap.example/deals"],
    ),
    ("Visit www.best-deals.shop today", ["link"], None, ["www.best-deals.shop"]),
    (
        "Write to sales@deals.example.com for offers",
        ["email_address"],
        None,
        ["sales@deals.example.com"],
    ),
    ("Call me on +44 20 7946 0958 for a quote", ["phone_number"], None, ["+44 20 7946 0958"]),
    ("THIS ARMY IS LYING TO EVERYONE ABOUT THE CITY", ["shouting"], None, []),
    ("Wrong wrong wrong wrong, all of it", ["repetition"], None, []),
    ("Unbelievable!!!!!!!!", ["repetition"], None, []),
]


@pytest.mark.parametrize(("body", "flags", "reason", "flagged"), TABLE)
def test_offensive_and_promotional_comments_get_their_flags(article, body, flags, reason, flagged):
    screening = screen(Submission(article, "Ann", "ann@example.com", body))

    assert sorted(screening.flags) == sorted(flags)
    assert (screening.rejection.reason if screening.rejection else None) == reason
    assert [body[start:end] for start, end in screening.spans] == flagged
    assert screening.score > 0


def test_the_honeypot_rejects_as_promotion(article):
    screening = screen(Submission(article, "Bot", "bot@example.com", "Nice", honeypot_filled=True))

    assert screening.flags == ["honeypot"]
    assert screening.rejection.reason == RejectionReason.PROMOTION


def test_a_commenters_past_rejections_flag_their_next_comment(article, moderator):
    earlier = make_comment(article, "You are all paid shills", author_email="zed@example.com")
    reject_comment(earlier, moderator=moderator, reason=RejectionReason.PERSONAL_ATTACK)

    screening = screen(Submission(article, "Zed", "zed@example.com", "Another opinion entirely."))
    stranger = screen(Submission(article, "Amy", "amy@example.com", "Another opinion entirely."))

    assert screening.flags == ["past_rejections"]
    assert stranger.flags == []


def test_the_same_text_posted_on_another_article_is_repetition(article):
    make_comment(article, "Read my blog for the truth about this war", author_email="s@example.com")

    screening = screen(
        Submission(
            make_article(), "S", "s@example.com", "Read my blog for the truth about this war"
        )
    )

    assert "repetition" in screening.flags


def test_the_toxicity_score_comes_from_the_bundled_model():
    assert toxicity("you are a stupid piece of garbage") > 0.5
    assert toxicity("The front line moved east of the river overnight.") < 0.2


def test_the_toxicity_probability_orders_even_unflagged_comments(article):
    mild = screen(Submission(article, "A", "a@example.com", "This is a dumb take."))
    calm = screen(Submission(article, "B", "b@example.com", "This is a careful take."))

    assert mild.score > calm.score


def test_only_the_honeypot_and_banned_words_may_reject(article):
    rejecting = {
        check.__name__
        for check in PIPELINE
        if check(
            Submission(article, "X", "x@example.com", "f u c k " * 3 + "IDIOT", "", True)
        ).rejection
    }
    assert rejecting == {"check_honeypot", "check_banned_words"}


def test_a_check_outside_the_deciding_ones_cannot_reject(article):
    def check_overreaching(submission):
        return CheckResult(
            rejection=check_honeypot(
                Submission(article, "X", "x@example.com", "x", honeypot_filled=True)
            ).rejection
        )

    with pytest.raises(ValueError, match="never decide"):
        screen(Submission(article, "X", "x@example.com", "x"), pipeline=(check_overreaching,))


def test_the_first_decision_in_pipeline_order_stands(article):
    screening = screen(
        Submission(article, "X", "x@example.com", "fucking spam", honeypot_filled=True)
    )

    assert screening.rejection.reason == RejectionReason.PROMOTION  # the honeypot comes first
    assert {"honeypot", "banned_word"} <= set(screening.flags)


def test_screening_is_stored_with_the_comment_and_orders_the_queue(article):
    calm = make_comment(article, "A careful and fair report.")
    rude = make_comment(article, "What an idiot wrote this sh1t")

    assert rude.screening_flags == ["suspect_word", "toxic"]
    assert rude.flagged_spans == [[8, 13], [25, 29]]
    assert list(Comment.objects.for_queue(order="score")) == [rude, calm]
    assert list(Comment.objects.for_queue(order="oldest")) == [calm, rude]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Scunthorpe", []),
        ("assassination", []),
        ("analysis", []),
        ("cocktail", []),
        ("passage class bass", []),
        ("annal", []),  # a merely doubled letter is another word
        ("455", []),  # a number, not leetspeak
        ("ass", ["ass"]),
        ("ASS!", ["ass"]),
        ("a$$", ["ass"]),
        ("a s s", ["ass"]),
        ("a.n.a.l", ["anal"]),
        ("cock", ["cock"]),
        ("sh1t", ["shit"]),
        ("$h!t", ["shit"]),
        ("shiiiit", ["shit"]),
        ("s-h-i-t happens", ["shit"]),
        ("idiot!!", ["idiot"]),
        ("Ìdiöt", ["idiot"]),
    ],
)
def test_word_matching_forgives_spelling_but_only_matches_whole_words(text, found):
    words = WordList(["ass", "anal", "cock", "shit", "idiot"])
    assert [match.word for match in words.find(text)] == found


def test_every_flag_has_a_label_for_the_queue():
    assert all(flag.label for flag in Flag)
