"""Language tags (BCP 47: "en", "pt-BR", "ckb"), as readers and API clients give them and
as feeds declare them.

Articles hold them in lower case: the ISO 639 code the ingest detected offline (fastText's
labels: "en", "ar", "ckb"), or the tag a source gave ("pt-br"), or "" when neither is known.
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


def declared_language(tag: str) -> str:
    """The tag to declare an article's text in (a feed's xml:lang), or "" when its language
    is not known: none detected, "und", or a value that is no tag at all (an outlet's
    language is whatever an editor typed, and a JSON Lines source may write "pt_BR")."""
    tag = tag.strip().replace("_", "-")
    if tag.lower() == UNDETERMINED or not LANGUAGE_TAG.fullmatch(tag):
        return ""
    return tag
