import pytest

from archive.ingest.urls import canonical_url


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("HTTP://Example.COM/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a?utm_source=x&utm_medium=y&id=3", "https://example.com/a?id=3"),
        ("https://example.com/a?fbclid=1&gclid=2", "https://example.com/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/news/story/amp/", "https://example.com/news/story/"),
        ("https://amp.example.com/news/story", "https://example.com/news/story"),
        ("https://example.com/story.amp.html", "https://example.com/story.html"),
        ("https://example.com/s?amp=1&page=2", "https://example.com/s?page=2"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com", "https://example.com/"),
        ("", ""),
        ("ftp://example.com/file", ""),
        ("javascript:alert(1)", ""),
        ("not a url", ""),
        ("https://[::1", ""),
    ],
)
def test_canonical_urls(given, canonical):
    assert canonical_url(given) == canonical
