"""Language tags (BCP 47: "en", "pt-BR", "ckb"), as readers and API clients give them and
as feeds declare them.

Articles hold them in one form, lower case with hyphens (``language_tag``): the tag a source
declared ("pt-br", written "pt_BR" or "pt-BR"), else the ISO 639 code the ingest detected
offline (fastText's labels: "en", "ar", "ckb"), else the outlet's, or "" when none is known.
The models keep that form however a tag is written (``LanguageTagField``).

Every language filter (the browse pages, the API, search) takes a language range and keeps
the tags it matches by RFC 4647's basic filtering (https://www.rfc-editor.org/rfc/rfc4647
#section-3.3.1), without case: "en" matches "en", "en-us" and "en-gb", since sources declare
a region where the offline detection gives none; "en-us" matches "en-us" and "en-us-*", not
"en" nor "en-gb".
"""

import re

from django.core.validators import RegexValidator
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q

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


def stored_language(value: str) -> str:
    """A language as Article.language and Outlet.language hold it: a tag in the one form
    (``language_tag``), "" for none known ("" or "und"), and a value that is no tag
    ("English") as it was given, trimmed, for the field's validator to refuse by name: cut to
    "", it would be lost without a word, and nothing says which tag it meant."""
    text = value.strip()
    if not text or text.lower() == UNDETERMINED:
        return ""
    return language_tag(text) or text


def in_language_range(language_range: str, field: str = "language") -> Q:
    """The rows whose tag in ``field`` the range matches (RFC 4647 basic filtering): the
    tag itself, or the range followed by a hyphen and more subtags. Give it a range
    ``validate_language_tag`` passed: letters, digits and hyphens, nothing LIKE reads as a
    wildcard (Django escapes those anyway)."""
    return Q(**{f"{field}__iexact": language_range}) | Q(
        **{f"{field}__istartswith": f"{language_range}-"}
    )


def language_ranges(tag: str) -> list[str]:
    """Every range that matches the tag, shortest first ("en-us" -> ["en", "en-us"]): what
    the search indexes hold for an article, so that a filter on a range is a term lookup
    rather than a prefix query. "" (no language known) is filed under "und"."""
    subtags = (tag.lower() or UNDETERMINED).split("-")
    return ["-".join(subtags[: end + 1]) for end in range(len(subtags))]


class LanguageTagField(models.CharField):
    """A language tag held in the one form the archive's filters and search compare, however
    it was written ("pt_BR" is stored "pt-br"): whether an editor typed it in the admin, the
    ingest read it or code saved it. ``full_clean`` (so the admin's form) refuses a value that
    is no tag, with the validator's message naming it."""

    default_validators = [validate_language_tag]

    def clean(self, value: object, model_instance: models.Model | None) -> object:
        # full_clean(), so the admin's form: the validators judge the form to be stored.
        if isinstance(value, str):
            value = stored_language(value)
        return super().clean(value, model_instance)

    def pre_save(self, model_instance: models.Model, add: bool) -> object:
        # save() and bulk_create(): the instance then holds what its row holds.
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = stored_language(value)
            setattr(model_instance, self.attname, value)
        return value

    def get_db_prep_save(self, value: object, connection: BaseDatabaseWrapper) -> object:
        # update() and bulk_update() write without pre_save(). Not to_python() nor
        # get_prep_value(): a query's value goes through them, and a query for what a row
        # holds ("pt_br", stored before this field, as migration 0010 looks for) must find
        # it as written.
        if isinstance(value, str):
            value = stored_language(value)
        return super().get_db_prep_save(value, connection)
