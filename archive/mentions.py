"""Find place names in running text: capitalised names that the gazetteer knows.

A pure text job (no database): ``find_mentions`` gets the text and the gazetteer's folded
names and returns each place name it found, with what its neighbours say about it. Which
region a name means is decided in ``archive.places``.

The rules, each for a kind of false match seen in news text:

- only capitalised words start a name, and a name ends on a capitalised word ("Deir
  ez-Zor", "Rio de Janeiro"), longest name first;
- a name inside a longer capitalised name is not a place mention: "Jordan" in "Michael
  Jordan", "New York" in "New York Times", "Paris" in "Paris Saint-Germain" (sentence
  openers, titles of address aside, see ``_PLAIN_CAPITALS``);
- all-capital words are acronyms ("ISIS", "SANA") unless the gazetteer knows the name as an
  acronym ("US", "UAE"), and such names match only in capitals (not "Us");
- words that are place names but mostly ordinary words: ``NEVER_PLACES`` are ignored
  ("Police", "Best", "Of"), ``PLACES_AFTER_A_PREPOSITION`` count only after "in", "to",
  "from"... ("moved to Reading" yes, "Reading the report" no), as do names of one to three
  letters ("in Kut" yes, "Hit by" no).
"""

import re
import unicodedata
from collections.abc import Container
from dataclasses import dataclass
from functools import lru_cache

from archive.text import fold

# Capitalised place names that in English text almost never are one.
NEVER_PLACES = frozenset(
    {
        "a", "ada", "along", "are", "as", "bar", "batman", "best", "colon", "commerce",
        "deal", "enterprise", "gap", "hit", "hope", "ita", "male", "man", "march", "may",
        "of", "opportunity", "police", "sandy", "surprise", "sur", "tema",
        "normal", "independence", "liberty", "paradise", "union", "eagle", "early", "ely",
        "mission", "temple", "spring", "sunrise", "plantation", "pearland", "marks",
    }
)  # fmt: skip
# Place names that are also everyday words or first names: a place only after a
# preposition of place ("in Nice", "from Split", "near Bath").
PLACES_AFTER_A_PREPOSITION = frozenset(
    {
        "bath", "bury", "charlotte", "chandler", "derby", "florence", "garland", "gilbert",
        "irving", "jackson", "lens", "lincoln", "logan", "mobile", "murray", "nancy",
        "nice", "orange", "reading", "sale", "split", "tours", "troy", "tyler", "victoria",
        "wells", "allen", "regina", "carmel", "eden",
    }
)  # fmt: skip
LOCATIVE_WORDS = frozenset(
    {
        "in", "at", "from", "to", "near", "into", "outside", "around", "toward", "towards",
        "across", "through", "via", "of", "visited", "visit", "visiting", "inside", "between",
        "and", "or", "beyond", "throughout", "within", "reached", "left", "entered",
    }
)  # fmt: skip
# Capitalised words that may stand next to a place name without being part of another name:
# sentence openers, directions, days and months.
_PLAIN_CAPITALS = frozenset(
    {
        "a", "after", "also", "although", "an", "and", "as", "at", "before", "both", "but",
        "by", "during", "for", "from", "however", "if", "in", "into", "like", "meanwhile",
        "near", "neither", "nor", "on", "or", "outside", "since", "so", "the", "then",
        "there", "this", "that", "these", "those", "to", "unlike", "until", "when", "where",
        "while", "with", "within", "without", "yet", "across", "around", "between", "inside",
        "over", "under", "via", "toward", "towards", "beyond", "throughout", "of",
        "north", "south", "east", "west", "northern", "southern", "eastern", "western",
        "central", "northeast", "northwest", "southeast", "southwest", "northeastern",
        "northwestern", "southeastern", "southwestern", "upper", "lower", "greater", "rural",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "march", "april", "may", "june", "july", "august",
        "september", "october", "november", "december", "today", "yesterday", "tomorrow",
    }
)  # fmt: skip
# A word after the name that says which kind of region it means.
PROVINCE_WORDS = frozenset(
    {
        "province", "provinces", "governorate", "region", "state", "county", "oblast",
        "district", "prefecture", "department", "canton", "emirate", "territory",
    }
)  # fmt: skip
CITY_WORDS = frozenset({"city", "town", "village"})
GEOGRAPHIC_WORDS = PROVINCE_WORDS | CITY_WORDS | {"valley", "river", "mountains", "plains"}
_MAX_WORDS = 6
_SHORT_NAME = 3  # letters: "Kut", "Hit", "Of" need a preposition before them
_ABBREVIATION = 3  # letters before a full stop that may go on within a name ("St.")

_WORD = re.compile(r"[^\W_]+")
_UPPER = "".join(
    re.escape(chr(c)) for c in range(0x2FF + 1) if chr(c).isupper() or chr(c).istitle()
)
# The capital first, then a look behind it (not after a letter or digit): a pattern that
# starts with a set of characters lets the regular expression engine skip to the next one
# in a tight loop, where a look-behind first tested every position (three times slower:
# 120 µs an article body).
_CAPITALISED_WORD = re.compile(rf"[{_UPPER}\u0370-\u03ff\u0400-\u04ff](?<![^\W_].)[^\W_]*")
# What may stand between two words of one name: spaces, hyphens, apostrophes, a full stop
# ("St. Louis"). fold() turns each of these into a space, as the gazetteer's names are folded.
_JOINING_CHARACTERS = r"[\s\-\u2010\u2011'’.]"
_JOINING = re.compile(rf"{_JOINING_CHARACTERS}{{1,3}}")
_NEXT_WORD = re.compile(r"([^\w]*)([^\W_]+)")
_APOSTROPHES = ("'", "’")


@dataclass(frozen=True)
class Mention:
    folded: str  # the gazetteer key, "deir ez zor"
    in_title: bool
    kind_hint: str = ""  # "province" ("Homs province") or "city" ("Deir ez-Zor city")


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    return fold(word)


def _is_shouting(text: str) -> bool:
    """A line in capitals ("SYRIAN ARMY ADVANCES"): read it as title case instead."""
    return any(ch.isalpha() for ch in text) and not any(ch.islower() for ch in text)


def find_mentions(
    title: str,
    body: str,
    names: Container[str],
    prefixes: Container[str],
    acronyms: Container[str],
) -> list[Mention]:
    """Every place name in the title and body, in order, once per occurrence.

    ``names`` are the gazetteer's folded names, ``prefixes`` their first words, first two
    words, ... (the names included), ``acronyms`` the names known in capitals ("us").
    """
    mentions = []
    for text, in_title in ((title, True), *((p, False) for p in body.split("\n\n"))):
        if _is_shouting(text):
            text = text.title()
        text = unicodedata.normalize("NFC", text)
        mentions += _mentions_in(text, in_title, names, prefixes, acronyms)
    return mentions


def _mentions_in(text, in_title, names, prefixes, acronyms) -> list[Mention]:
    # Only capitalised words can start a name: the regex engine finds them, so the cost of
    # an article is in its capitalised words, not in all its words.
    found: list[tuple[int, int, str, list[str]]] = []  # start, end, key, words as printed
    resume = 0
    for match in _CAPITALISED_WORD.finditer(text):
        if match.start() < resume or _fold_word(match.group()) not in prefixes:
            continue
        if name := _longest_name_at(text, match.start(), names, prefixes):
            found.append(name)
            resume = name[1]

    starts = {start for start, _, _, _ in found}
    ends = {end for _, end, _, _ in found}
    mentions = []
    for start, end, key, printed in found:
        before = _word_before(text, start)
        after = _word_after(text, end, printed[-1])
        if _is_place_mention(key, printed, before, after, starts, ends, acronyms):
            mentions.append(Mention(key, in_title, _kind_hint(after)))
    return mentions


def _longest_name_at(
    text: str, start: int, names: Container[str], prefixes: Container[str]
) -> tuple[int, int, str, list[str]] | None:
    """The longest gazetteer name starting here and ending on a capitalised word.

    Words are added while what is read so far begins some name (``prefixes``), so reading
    stops after a word or two almost everywhere.
    """
    word = _WORD.match(text, start)
    key = _fold_word(word.group())
    printed = [word.group()]
    best = (word.end(), key, 1) if key in names else None
    while len(printed) < _MAX_WORDS:
        gap = _JOINING.match(text, word.end())
        if gap is None or not _joins(gap.group(), word.group()):
            break  # the end of the text, punctuation, a sentence's end, or "Syria's"
        if text[word.end()] in _APOSTROPHES and text[gap.end() :][:1] in "sS":
            break
        following = _WORD.match(text, gap.end())
        if following is None:
            break
        key = f"{key} {_fold_word(following.group())}"
        if key not in prefixes:
            break
        word = following
        printed.append(word.group())
        if key in names and word.group()[:1].isupper():
            best = (word.end(), key, len(printed))
    if best is None:
        return None
    end, key, count = best
    return start, end, key, printed[:count]


def _joins(gap: str, word_before: str) -> bool:
    """Whether a gap between two words keeps them in one name: a full stop does only after
    an abbreviation ("St. Louis", "U.S."), not at the end of a sentence."""
    return "." not in gap or len(word_before) <= _ABBREVIATION


@dataclass(frozen=True)
class _Neighbour:
    word: str
    joined: bool
    at: int  # where the word ends (a word before) or starts (a word after)


def _word_before(text: str, start: int) -> _Neighbour:
    gap_start = start
    while gap_start > 0 and not text[gap_start - 1].isalnum():
        gap_start -= 1
    word_start = gap_start
    while word_start > 0 and text[word_start - 1].isalnum():
        word_start -= 1
    word = text[word_start:gap_start]
    gap = text[gap_start:start]
    joined = bool(word) and bool(_JOINING.fullmatch(gap)) and _joins(gap, word)
    return _Neighbour(word, joined, gap_start)


def _word_after(text: str, end: int, last_word: str) -> _Neighbour:
    match = _NEXT_WORD.match(text, end)
    if match is None:
        return _Neighbour("", False, end)
    gap = match.group(1)
    joined = bool(_JOINING.fullmatch(gap)) and _joins(gap, last_word)
    return _Neighbour(match.group(2), joined, match.start(2))


def _is_place_mention(key, printed, before, after, starts, ends, acronyms) -> bool:
    if key in acronyms:
        return all(w.isupper() for w in printed)
    if any(w.isupper() and len(w) > 1 for w in printed):
        return False  # an acronym that happens to spell a place: "ISIS", "SANA"
    single = len(printed) == 1
    if single and key in NEVER_PLACES:
        return False
    needs_preposition = single and (key in PLACES_AFTER_A_PREPOSITION or len(key) <= _SHORT_NAME)
    if needs_preposition and _fold_word(before.word) not in LOCATIVE_WORDS:
        return False
    return not _inside_a_longer_name(before, after, starts, ends)


def _inside_a_longer_name(
    before: _Neighbour, after: _Neighbour, starts: set[int], ends: set[int]
) -> bool:
    """A capitalised word joined to the name that is neither another place nor a plain
    capital (a sentence opener, a direction, a day) makes it part of another name."""
    for neighbour, allowed, other_places in (
        (before, _PLAIN_CAPITALS, ends),
        (after, _PLAIN_CAPITALS | GEOGRAPHIC_WORDS, starts),
    ):
        if (
            neighbour.joined
            and neighbour.word[:1].isupper()
            and neighbour.at not in other_places
            and _fold_word(neighbour.word) not in allowed
        ):
            return True
    return False


def _kind_hint(after: _Neighbour) -> str:
    if after.joined:
        following = _fold_word(after.word)
        if following in PROVINCE_WORDS:
            return "province"
        if following in CITY_WORDS:
            return "city"
    return ""
