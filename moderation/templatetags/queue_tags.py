from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString

from archive.models import Comment
from archive.sanitise import marked_text_html
from moderation.screening import Flag

register = template.Library()


def highlight_spans(text: str, spans) -> SafeString:
    """The text, escaped, with the flagged ranges in <mark> and line breaks kept.

    Escaping comes first, piece by piece, so nothing a reader typed becomes markup.
    """
    pieces, position = [], 0
    for start, end in sorted(tuple(span) for span in spans):
        if not 0 <= position <= start < end <= len(text):
            continue  # out of order or out of range: show the text unmarked rather than fail
        pieces += [escape(text[position:start]), "<mark>", escape(text[start:end]), "</mark>"]
        position = end
    pieces.append(escape(text[position:]))
    # Every piece is escaped above; the sanitiser keeps <mark> and <br> only, should that change.
    return marked_text_html("".join(pieces).replace("\n", "<br>"))


@register.filter
def highlighted(comment: Comment) -> SafeString:
    return highlight_spans(comment.body, comment.flagged_spans)


@register.filter
def flag_label(flag: str) -> str:
    try:
        return Flag(flag).label
    except ValueError:
        return flag
