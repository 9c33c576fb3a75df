"""Screening: an ordered pipeline of small checks run on every comment as it is submitted.

After Coral Talk's moderation phases: each check looks at one thing and returns flags, a
score (how suspect; the queue can sort on the sum) and the character ranges it flagged.
Screening annotates and orders the queue; it publishes nothing. Only two checks may decide
on their own, and then only to reject: the honeypot and the banned words. Their decision is
recorded as a ModerationEvent without a moderator (see moderation.services.submit_comment).

Everything here is offline: the word lists are data in moderation/wordlists.py and the
toxicity model ships inside the alt-profanity-check package.
"""

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q

from archive.models import Article, Comment
from archive.models.comments import RejectionReason
from moderation.wordlists import BANNED_WORDS, SUSPECT_WORDS
from moderation.words import WordList


class Flag(models.TextChoices):
    HONEYPOT = "honeypot", "Honeypot filled in"
    BANNED_WORD = "banned_word", "Banned word"
    SUSPECT_WORD = "suspect_word", "Suspect word"
    TOXIC = "toxic", "Toxic language (model)"
    LINK = "link", "Link"
    EMAIL_ADDRESS = "email_address", "E-mail address"
    PHONE_NUMBER = "phone_number", "Phone number"
    SHOUTING = "shouting", "Shouting"
    REPETITION = "repetition", "Repetition"
    PAST_REJECTIONS = "past_rejections", "Past rejections"


@dataclass(frozen=True)
class Submission:
    """What a reader sent, before it is stored."""

    article: Article
    author_name: str
    author_email: str
    body: str
    ip_hash: str = ""
    honeypot_filled: bool = False


@dataclass(frozen=True)
class AutomaticRejection:
    reason: RejectionReason
    note: str


@dataclass(frozen=True)
class CheckResult:
    flags: tuple[Flag, ...] = ()
    score: float = 0.0
    spans: tuple[tuple[int, int], ...] = ()
    rejection: AutomaticRejection | None = None


PASSED = CheckResult()


@dataclass
class Screening:
    """The sum of the checks: what is stored on the comment."""

    flags: list[str] = field(default_factory=list)
    score: float = 0.0
    spans: list[list[int]] = field(default_factory=list)
    rejection: AutomaticRejection | None = None

    def add(self, result: CheckResult) -> None:
        self.flags.extend(flag.value for flag in result.flags if flag.value not in self.flags)
        self.score = round(self.score + result.score, 3)
        self.spans = _merged([*map(tuple, self.spans), *result.spans])
        # The first decision in pipeline order stands.
        self.rejection = self.rejection or result.rejection


def _merged(spans: list[tuple[int, int]]) -> list[list[int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


# The checks, each small. They may read the database (a commenter's history) but never write.


def check_honeypot(submission: Submission) -> CheckResult:
    if not submission.honeypot_filled:
        return PASSED
    return CheckResult(
        flags=(Flag.HONEYPOT,),
        score=1.0,
        # Bots fill in every field; what they post is almost always advertising.
        rejection=AutomaticRejection(
            RejectionReason.PROMOTION, "Automatic: the hidden honeypot field was filled in."
        ),
    )


_banned = WordList(BANNED_WORDS)
_suspect = WordList(SUSPECT_WORDS)


def check_banned_words(submission: Submission) -> CheckResult:
    matches = _banned.find(submission.body)
    if not matches:
        return PASSED
    words = sorted({match.word for match in matches})
    return CheckResult(
        flags=(Flag.BANNED_WORD,),
        score=1.0,
        spans=tuple(match.span for match in matches),
        rejection=AutomaticRejection(
            BANNED_WORDS[matches[0].word], f"Automatic: banned words ({', '.join(words)})."
        ),
    )


def check_suspect_words(submission: Submission) -> CheckResult:
    matches = _suspect.find(submission.body)
    if not matches:
        return PASSED
    distinct = len({match.word for match in matches})
    return CheckResult(
        flags=(Flag.SUSPECT_WORD,),
        score=min(0.3 * distinct, 0.9),
        spans=tuple(match.span for match in matches),
    )


TOXICITY_THRESHOLD = 0.5  # the model's own decision boundary


@functools.cache
def _toxicity_model() -> Callable:
    # Imported on first use: loading the bundled scikit-learn model takes about a second,
    # which commands and pages that never screen a comment should not pay.
    from profanity_check import predict_prob

    return predict_prob


def load_toxicity_model() -> None:
    """Load the model (and run it once) now: for web processes, which will screen comments,
    before their first request rather than during a reader's first comment, with every
    request queued behind it waiting too (seconds on a busy machine; see bench/load.py)."""
    toxicity("Loading the model.")


def toxicity(text: str) -> float:
    """Probability, by alt-profanity-check's bundled model, that the text is offensive."""
    return float(_toxicity_model()([text])[0])


def check_toxicity(submission: Submission) -> CheckResult:
    probability = toxicity(submission.body)
    # The probability always counts towards the score, so the queue's order uses it too.
    flags = (Flag.TOXIC,) if probability >= TOXICITY_THRESHOLD else ()
    return CheckResult(flags=flags, score=round(probability, 3))


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LINK = re.compile(
    r"\b(?:https?://|www\.)\S+"
    r"|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*"
    r"\.(?:com|net|org|info|biz|io|co|uk|ru|cn|xyz|shop|online|site|top|me|ly|app)\b(?:/\S*)?",
    re.IGNORECASE,
)
_PHONE = re.compile(r"(?<![\w+])\+?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){2,5}(?!\w)")
_YEAR_OR_DATE_PARTS = re.compile(r"(?:19|20)\d\d|\d\d?")


def _phone_numbers(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        groups = re.split(r"[^\d]+", match.group(0).strip("+()"))
        # "2016 2017 2018" and "2017-08-15" are years and dates, not phone numbers.
        looks_like_dates = all(_YEAR_OR_DATE_PARTS.fullmatch(group) for group in groups if group)
        if 9 <= len(digits) <= 15 and not looks_like_dates:
            spans.append(match.span())
    return spans


def check_promotion(submission: Submission) -> CheckResult:
    """Links, e-mail addresses and phone numbers: the marks of promotion."""
    emails = [match.span() for match in _EMAIL.finditer(submission.body)]
    links = [
        match.span()
        for match in _LINK.finditer(submission.body)
        if not any(start <= match.start() < end for start, end in emails)
    ]
    phones = _phone_numbers(submission.body)
    found = {Flag.LINK: links, Flag.EMAIL_ADDRESS: emails, Flag.PHONE_NUMBER: phones}
    flags = tuple(flag for flag, spans in found.items() if spans)
    return CheckResult(flags=flags, score=0.4 * len(flags), spans=tuple(links + emails + phones))


SHOUTING_MIN_LETTERS = 15
SHOUTING_CAPITALS_SHARE = 0.7


def check_shouting(submission: Submission) -> CheckResult:
    letters = [ch for ch in submission.body if ch.isalpha()]
    capitals = sum(ch.isupper() for ch in letters)
    if len(letters) >= SHOUTING_MIN_LETTERS and capitals >= SHOUTING_CAPITALS_SHARE * len(letters):
        return CheckResult(flags=(Flag.SHOUTING,), score=0.2)
    return PASSED


_RUN_OF_ONE_CHARACTER = re.compile(r"(\S)\1{5,}")  # "!!!!!!", "aaaaaaa"
_WORD = re.compile(r"\w+")


def _is_repetitive(body: str) -> bool:
    if _RUN_OF_ONE_CHARACTER.search(body):
        return True
    words = [word.casefold() for word in _WORD.findall(body)]
    same_word_four_times = any(len(set(words[i : i + 4])) == 1 for i in range(len(words) - 3))
    few_distinct_words = len(words) >= 12 and len(set(words)) < 0.3 * len(words)
    return same_word_four_times or few_distinct_words


def check_repetition(submission: Submission) -> CheckResult:
    """Repeated characters or words, or the same text this commenter posted elsewhere."""
    same_commenter = Q(author_email=submission.author_email)
    if submission.ip_hash:
        same_commenter |= Q(ip_hash=submission.ip_hash)
    posted_elsewhere = (
        Comment.objects.filter(same_commenter, body=submission.body)
        .exclude(article=submission.article)
        .exists()
    )
    if _is_repetitive(submission.body) or posted_elsewhere:
        return CheckResult(flags=(Flag.REPETITION,), score=0.3)
    return PASSED


def check_past_rejections(submission: Submission) -> CheckResult:
    rejections = Comment.objects.from_email(submission.author_email).rejected().count()
    if not rejections:
        return PASSED
    return CheckResult(flags=(Flag.PAST_REJECTIONS,), score=min(0.2 * rejections, 0.6))


PIPELINE: tuple[Callable[[Submission], CheckResult], ...] = (
    check_honeypot,
    check_banned_words,
    check_suspect_words,
    check_toxicity,
    check_promotion,
    check_shouting,
    check_repetition,
    check_past_rejections,
)

# Only these may reject on their own; any other check's decision would be a bug.
DECIDING_CHECKS = frozenset({check_honeypot, check_banned_words})


def screen(submission: Submission, pipeline=PIPELINE) -> Screening:
    screening = Screening()
    for check in pipeline:
        result = check(submission)
        if result.rejection and check not in DECIDING_CHECKS:
            raise ValueError(f"{check.__name__} may flag a comment but never decide on it")
        screening.add(result)
    return screening
