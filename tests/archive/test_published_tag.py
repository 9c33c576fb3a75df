"""{% published %} writes what Django's date formats write, without their formatter."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from django.utils.dateformat import format as format_date
from django.utils.html import format_html

from archive.models import Article
from archive.templatetags.published import published

MOMENTS = [
    datetime(2017, 8, 15, 22, 30, tzinfo=UTC),
    datetime(2017, 1, 1, 0, 0, tzinfo=UTC),
    datetime(2016, 2, 29, 23, 59, 59, tzinfo=UTC),
    datetime(2024, 3, 31, 1, 30, tzinfo=UTC),  # Europe/London's clocks go forward at 01:00
    datetime(2024, 10, 27, 0, 30, tzinfo=UTC),  # and back, the next October
    datetime(1999, 12, 31, 23, 0, tzinfo=UTC),
    datetime(999, 5, 1, 12, 0, tzinfo=UTC),  # a year of three digits is written with four
]
ZONES = ["UTC", "Asia/Baghdad", "Europe/London", "America/St_Johns", "Asia/Kathmandu"]


def as_django_writes_it(article: Article) -> str:
    if article.published_time_known:
        moment = timezone.localtime(article.published_at)
        # Django's T writes nothing in the hour that comes twice when the clocks go back;
        # {% published %} names the zone there too (BST or GMT), which tells the two apart.
        zone = format_date(moment, "T") or moment.tzname()
        return format_html(
            '<time datetime="{}">{} {}</time>',
            format_date(moment, "c"),
            format_date(moment, "j F Y, H:i"),
            zone,
        )
    day = article.published_at.astimezone(UTC)
    return format_html(
        '<time datetime="{}">{}</time>', format_date(day, "Y-m-d"), format_date(day, "j F Y")
    )


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_publication_time_is_written_as_the_date_formats_write_it(zone, language):
    with timezone.override(ZoneInfo(zone)), translation.override(language):
        for moment in MOMENTS:
            for time_known in (True, False):
                article = Article(published_at=moment, published_time_known=time_known)
                assert published(article) == as_django_writes_it(article)
