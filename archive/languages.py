"""Language tags (BCP 47: "en", "pt-BR", "ckb"), as readers and API clients give them and
as feeds declare them.

Articles hold them in one form, lower case with hyphens (``language_tag``): the tag a source
declared ("pt-br", written "pt_BR" or "pt-BR"), else the ISO 639 code the ingest detected
offline (fastText's labels: "en", "ar", "ckb"), else the outlet's, or "" when none is known.
The filters compare them without case; search compares them lower-cased.
"""

import re

from django.core.validators import RegexValidator

# Well-formed, not registered: a language of two or three letters, then subtags of up to
# eight letters or digits (script, region, variant). "xx" passes, as a tag no article has.
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")

validate_language_tag = RegexValidator(
    rf"\A{LANGUAGE_TAG.pattern}\Z",
    message='Enter a language tag such as "en" or "pt-BR", not "%(value)s".',
)

UNDETERMINED = "und"  # BCP 47's "not known"; the search indexes file "" under it
MAX_TAG_LENGTH = 16  # what Article.language and Outlet.language hold


def declared_language(tag: str) -> str:
    """The tag to declare an article's text in (a feed's xml:lang), or "" when its language
    is not known: none detected, "und", or a value that is no tag at all (an outlet's
    language is whatever an editor typed, and a JSON Lines source may write "pt_BR")."""
    tag = tag.strip().replace("_", "-")
    if tag.lower() == UNDETERMINED or not LANGUAGE_TAG.fullmatch(tag):
        return ""
    return tag


def language_tag(value: str) -> str:
    """A language tag in the form the archive stores: lower case, subtags joined by hyphens
    ("pt_BR", "pt-BR" and "PT-br" are all "pt-br"); "" for a value that is no tag ("English",
    "und") or one too long to store whole (cut, it would be a tag nobody wrote). Every
    ingest format's declared language goes through it (archive.ingest.normalise), as does
    an outlet's, which an editor typed."""
    tag = declared_language(value).lower()
    return tag if len(tag) <= MAX_TAG_LENGTH else ""
