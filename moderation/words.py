"""Find listed words in a comment, however they are spelled, and only as whole words.

A ``WordList`` matches whole tokens, never substrings, so "Scunthorpe" is not "cunt" and
"cocktail" is not "cock". Within a token it forgives what people do to get a word past a
filter: case and accents, leetspeak ("sh1t", "a$$"), letters stretched by two or more
("fuuuck"; a letter merely doubled is a different word: "annal" is not "anal"), and letters
spaced or dotted apart ("f u c k", "s.h.1.t", "f-u-c-k you").
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from moderation.wordlists import LEET

# A token: letters and digits, plus the symbols leetspeak uses for letters.
_TOKEN = re.compile(r"(?:[^\W_]|[@$!|+])+")
# Between the letters of a spaced-out word: a few spaces, dots, dashes or underscores.
_SPACED_GAP = re.compile(r"[ .\-_·*]{1,3}")
_MIN_SPACED_LETTERS = 3
_STRETCH_REACH = 2  # a spaced word stretched to twice its letters ("f u u u c k") still counts


@dataclass(frozen=True)
class WordMatch:
    start: int
    end: int
    word: str  # the listed word it matched

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


def _fold(token: str) -> str:
    decomposed = unicodedata.normalize("NFKD", token)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _word_pattern(word: str) -> str:
    """Each run of n identical letters, in any of its spellings: n of them, or n + 2 or more."""
    parts = []
    for run in re.finditer(r"(.)\1*", word):
        letter, times = run.group(1), len(run.group(0))
        spelling = f"[{re.escape(letter + LEET.get(letter, ''))}]"
        parts.append(f"(?:{spelling}{{{times}}}|{spelling}{{{times + 2},}})")
    return "".join(parts)


class WordList:
    def __init__(self, words: Iterable[str]):
        self.words = sorted({_fold(word) for word in words})
        # The most letters a spaced-out listed word can take, stretched letters included:
        # a match is looked for only that far, so a comment of 1,500 spaced letters costs
        # linear time, not the cube of its length (18 s of screening at the form's limit).
        self._spaced_reach = _STRETCH_REACH * max((len(word) for word in self.words), default=0)
        alternatives = (f"(?P<w{i}>{_word_pattern(word)})" for i, word in enumerate(self.words))
        self._pattern = re.compile("|".join(alternatives))

    def _listed_word(self, folded: str) -> str | None:
        if not any(ch.isalpha() for ch in folded):
            return None  # "455" is a number, not "ass"
        match = self._pattern.fullmatch(folded)
        return self.words[int(match.lastgroup[1:])] if match else None

    def find(self, text: str) -> list[WordMatch]:
        """Every listed word in ``text``, in order, with where it stands in the text."""
        tokens = [_trimmed(token) for token in _TOKEN.finditer(text)]
        tokens = [token for token in tokens if token is not None]
        matches = [
            WordMatch(start, end, word)
            for start, end, token in tokens
            if len(token) > 1 and (word := self._listed_word(_fold(token)))
        ]
        for run in _spaced_runs(text, tokens):
            matches.extend(self._find_in_spaced_run(run))
        return sorted(matches, key=lambda match: match.start)

    def _find_in_spaced_run(self, run: list[tuple[int, int, str]]) -> Iterator[WordMatch]:
        """Leftmost-longest listed words in a run of single letters ("f u c k y o u")."""
        letters = [_fold(token) for _, _, token in run]
        start = 0
        while start <= len(letters) - _MIN_SPACED_LETTERS:
            farthest = min(len(letters), start + self._spaced_reach)
            for end in range(farthest, start + _MIN_SPACED_LETTERS - 1, -1):
                if word := self._listed_word("".join(letters[start:end])):
                    yield WordMatch(run[start][0], run[end - 1][1], word)
                    start = end
                    break
            else:
                start += 1


def _trimmed(token: re.Match) -> tuple[int, int, str] | None:
    """A token without trailing exclamation marks ("idiot!!" is "idiot"; "sh!t" stays)."""
    text = token.group(0).rstrip("!")
    return (token.start(), token.start() + len(text), text) if text else None


def _spaced_runs(
    text: str, tokens: list[tuple[int, int, str]]
) -> Iterator[list[tuple[int, int, str]]]:
    """Runs of three or more one-character tokens separated only by small gaps."""
    run: list[tuple[int, int, str]] = []
    for token in tokens:
        if len(token[2]) == 1 and (not run or _SPACED_GAP.fullmatch(text[run[-1][1] : token[0]])):
            run.append(token)
            continue
        if len(run) >= _MIN_SPACED_LETTERS:
            yield run
        run = [token] if len(token[2]) == 1 else []
    if len(run) >= _MIN_SPACED_LETTERS:
        yield run
