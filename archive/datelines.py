"""Split the dateline from an article's first paragraph.

Handles the forms newsrooms print::

    ERBIL, Kurdistan Region – The Syrian army ...
    BAGHDAD (Reuters) - Iraqi forces ...
    WASHINGTON — The Senate ...
    Paris, 3 May (AFP) - ...
    TRIPOLI, Lebanon: Protesters ...
"""

import re
from dataclasses import dataclass

# The separator: a dash with space around it (so "al-Koum" is not split), or a colon.
_SEPARATOR = re.compile(r"\s+[\u2013\u2014-]+\s+|\s*[\u2013\u2014]\s*|:\s+")
_AGENCY = re.compile(r"\(\s*([A-Za-z][\w .&-]{0,40}?)\s*\)\s*$")
_HAS_DIGIT = re.compile(r"\d")
# Particles that may stay lower-case inside a place name ("Deir ez-Zor", "Rio de Janeiro").
_PARTICLES = {"al", "el", "ez", "az", "as", "ad", "de", "del", "da", "do", "di", "la", "le", "of"}
_MAX_HEAD_LENGTH = 80


@dataclass(frozen=True)
class Dateline:
    printed: str  # "ERBIL, Kurdistan Region"
    place: str  # "ERBIL"
    qualifier: str = ""  # "Kurdistan Region"
    agency: str = ""  # "AFP"


def _looks_like_place(text: str) -> bool:
    words = re.split(r"[\s-]+", text.strip())
    if not 1 <= len(words) <= 5:
        return False
    return all(
        word[:1].isupper() or word.casefold().strip("'’") in _PARTICLES for word in words if word
    ) and any(ch.isalpha() for ch in text)


def split_dateline(paragraph: str) -> tuple[Dateline | None, str]:
    """Return the paragraph's dateline (or None) and the paragraph without it."""
    match = _SEPARATOR.search(paragraph, 0, _MAX_HEAD_LENGTH + 4)
    if not match or match.start() == 0:
        return None, paragraph
    head, rest = paragraph[: match.start()].strip(), paragraph[match.end() :].strip()
    if not rest or len(head) > _MAX_HEAD_LENGTH:
        return None, paragraph

    agency = ""
    if agency_match := _AGENCY.search(head):
        agency = agency_match.group(1)
        head_without_agency = head[: agency_match.start()].strip().rstrip(",")
    else:
        head_without_agency = head

    place, _, qualifier = (part.strip() for part in head_without_agency.partition(","))
    if not _looks_like_place(place):
        return None, paragraph
    if qualifier and _HAS_DIGIT.search(qualifier):
        qualifier = ""  # a printed date such as "3 May", not a place
    elif qualifier and not _looks_like_place(qualifier):
        return None, paragraph
    return Dateline(printed=head, place=place, qualifier=qualifier, agency=agency), rest
