"""URL canonicalisation: any text gives a canonical http(s) URL or "", and the canonical
form of a canonical URL is itself."""

from urllib.parse import parse_qsl, urlsplit

from hypothesis import example, given
from hypothesis import strategies as st

from archive.ingest.urls import canonical_url
from tests.properties.strategies import BOUNDED, hostile_text

_characters = st.characters(codec="utf-8")
_segment = st.text(_characters, max_size=8)
hosts = st.one_of(
    st.from_regex(r"(amp\.){0,2}[A-Za-z0-9-]{1,10}(\.[A-Za-z0-9-]{1,10}){0,3}\.?", fullmatch=True),
    st.text(_characters, max_size=12),
    st.sampled_from(["[::1]", "amp.com", ".", "user:pw@Example.com", "EXAMPLE.com."]),
)
ports = st.sampled_from(["", ":80", ":443", ":8080", ":0", ":99999", ":x"])
paths = st.lists(
    st.one_of(_segment, st.sampled_from(["amp", "x.amp.html", "..", ".", "%41", ""])), max_size=4
).map("/".join)
queries = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(["utm_source", "UTM_x", "fbclid", "amp", "id"]), _segment),
        _segment,
    ),
    max_size=4,
).map(lambda pairs: "&".join(f"{key}={value}" for key, value in pairs))
urls = st.builds(
    lambda scheme, host, port, path, query, fragment: (
        f"{scheme}://{host}{port}/{path}?{query}#{fragment}"
    ),
    st.sampled_from(["http", "HTTPS", "https", "ftp", "javascript"]),
    hosts,
    ports,
    paths,
    queries,
    _segment,
)


@BOUNDED
@given(st.one_of(hostile_text, urls))
@example("http://./")  # no host once the root's dot is dropped: was "http:///"
@example("http://[::1]/")  # an IPv6 host lost its brackets: was "http://::1/"
@example("http://e.com/amp/amp/x")  # one "amp" segment removed at a time
@example("http://e.com/x.amp.amp")
@example("http://e.com/..")  # courlan resolved "/.." to no path at all: was "http://e.com"
def test_a_canonical_url_is_http_without_tracking_and_is_its_own_canonical_form(url):
    canonical = canonical_url(url)
    if not canonical:
        return
    parts = urlsplit(canonical)
    assert parts.scheme in ("http", "https")
    assert parts.hostname
    assert parts.path.startswith("/")
    assert not parts.fragment
    assert not any(key.lower().startswith("utm_") for key, _ in parse_qsl(parts.query))
    assert canonical_url(canonical) == canonical


def test_amp_forms_and_default_ports_are_the_plain_page():
    plain = "https://example.com/news/story/"
    for variant in (
        "https://amp.example.com/news/story/",
        "HTTPS://Example.com:443/news/story/amp/",
        "https://example.com/amp/news/story/?utm_source=x#top",
    ):
        assert canonical_url(variant) == plain
    assert canonical_url("https://amp.com/x") == "https://amp.com/x"
