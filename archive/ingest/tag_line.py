"""Split a tags line whose separators were lost when the page was saved as text.

"Deir ez-Zor Middle Euphrates Valley" was two links, "Deir ez-Zor" and "Middle Euphrates
Valley". Known names (existing tags, then gazetteer places) are matched longest first;
the words between known names stay together as one tag.
"""

from collections.abc import Callable

from archive.text import fold

MAX_WORDS_IN_TAG = 6


def candidate_phrases(text: str) -> set[str]:
    """Every run of up to MAX_WORDS_IN_TAG consecutive words, as printed."""
    words = text.split()
    return {
        " ".join(words[start:end])
        for start in range(len(words))
        for end in range(start + 1, min(len(words), start + MAX_WORDS_IN_TAG) + 1)
    }


def split_tag_line(text: str, known: Callable[[set[str]], set[str]]) -> list[str]:
    """``known`` gets phrases as printed and returns the folded forms of those that name a
    tag or a place."""
    words = text.split()
    known_phrases = known(candidate_phrases(text))
    tags: list[str] = []
    unknown_run: list[str] = []
    start = 0
    while start < len(words):
        longest = next(
            (
                end
                for end in range(min(len(words), start + MAX_WORDS_IN_TAG), start, -1)
                if fold(" ".join(words[start:end])) in known_phrases
            ),
            None,
        )
        if longest is None:
            unknown_run.append(words[start])
            start += 1
            continue
        if unknown_run:
            tags.append(" ".join(unknown_run))
            unknown_run = []
        tags.append(" ".join(words[start:longest]))
        start = longest
    if unknown_run:
        tags.append(" ".join(unknown_run))
    return tags
