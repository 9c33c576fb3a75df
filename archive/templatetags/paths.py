"""``{% path "archive:home" %}``: ``{% url %}`` for a view without arguments, reversed once
per script prefix and URL configuration (archive.paths.view_path). Every page's header links
to seven views; reverse() walks the URL patterns each time, about 30 µs a link."""

from django import template

from archive.paths import view_path

register = template.Library()


@register.simple_tag
def path(view_name: str) -> str:
    return view_path(view_name)
