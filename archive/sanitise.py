"""HTML from outside, made harmless with nh3 (the Python binding of Rust's ammonia sanitiser).

Two kinds of text reach the pages from outside our templates:

- What sources send. The archive stores plain text only, so ``plain_text`` removes every tag a
  field holds (with the content of ``<script>`` and ``<style>``) and decodes entities, again
  until nothing decodes into a tag: stored text holds no markup even for a consumer of the API
  that un-escapes it once, and cleaning it again changes nothing (the same record ingested
  twice is the same text, so dedup holds).
- HTML made for display: search highlights (escaped text with ``<mark>``) and the moderation
  queue's flagged words. ``marked_text_html`` keeps exactly ``<mark>`` and ``<br>``, no
  attribute, before it is marked safe, whatever a search backend let through; but for
  ``MarkedHTML``, which only code that escapes every piece of text makes (the tantivy
  backend's highlights), and which it keeps as it is.
"""

import html

import nh3
from django.utils.safestring import SafeString, mark_safe

# Entity-encoding is peeled one level a round; more levels than this is an attack.
_MAX_ROUNDS = 8
_UNDECODABLE = {ord("<"): None, ord(">"): None, ord("&"): None}
_DISPLAY_TAGS = {"mark", "br"}


def plain_text(value: str) -> str:
    """The text of ``value`` with no markup: tags, comments, scripts and styles removed,
    entities decoded. "Q&amp;A <b>today</b>" becomes "Q&A today"; "a < b" stays."""
    text = value
    for _ in range(_MAX_ROUNDS):
        if "<" not in text and "&" not in text:
            return text  # nothing an HTML parser could read as a tag or an entity
        cleaned = html.unescape(nh3.clean(text, tags=set()))
        if cleaned == text:
            return text
        text = cleaned
    # Still decoding after all those rounds: no entity or bracket of it may stay.
    return text.translate(_UNDECODABLE)


def plain_text_tree(value):
    """``plain_text`` applied to every string, key or value, of decoded JSON."""
    if isinstance(value, str):
        return plain_text(value)
    if isinstance(value, dict):
        return {plain_text(str(key)): plain_text_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_text_tree(item) for item in value]
    return value


class MarkedHTML(SafeString):
    """HTML whose maker escaped every piece of text and added ``<mark>`` alone: made only by
    code written so (search/backends/tantivy_schema.py), never from outside text. A plain
    SafeString says less (any mark_safe, format_html or escape makes one), so it is still
    cleaned."""


def marked_text_html(markup: str) -> SafeString:
    """Escaped text with ``<mark>`` and ``<br>`` only, safe to put in a page as it is.

    MarkedHTML is kept as it is: a page of tantivy hits cleaned twenty of them with nh3 for
    nothing."""
    if isinstance(markup, MarkedHTML):
        return markup
    return mark_safe(nh3.clean(markup, tags=_DISPLAY_TAGS, attributes={}))  # sanitised here
