from django import template
from django.utils.safestring import SafeString

from archive.sanitise import marked_text_html

register = template.Library()


@register.filter
def marks_only(markup: str) -> SafeString:
    """A backend's highlight HTML with nothing but <mark> kept as markup (never ``|safe``)."""
    return marked_text_html(markup)
