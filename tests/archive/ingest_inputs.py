"""Inputs for the ingest's tests: `manage.py ingest` run in-process, records as JSON Lines,
a feed, an HTML page with a site around its article, that page as a file or inside a WARC."""

import io
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


def ingest(*args: str, expect_rejected: bool = False) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    if expect_rejected:
        with pytest.raises(CommandError, match="rejected"):
            call_command("ingest", *args, stdout=out, stderr=err)
    else:
        call_command("ingest", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def jsonl(*records: dict | str) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n"


RECORD = {
    "title": "Iraq's oil exports rise in August",
    "body": "BAGHDAD (Reuters) - Iraq said on Tuesday its oil exports rose in August.\n\n"
    "The ministry said exports averaged 3.2 million barrels per day.",
    "url": "https://www.example.com/business/iraq-oil?utm_source=twitter#top",
    "outlet": "Reuters",
    "published": "2017-09-01T10:30:00+03:00",
    "tags": ["Iraq", "Oil"],
    "byline": "Staff",
}


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Kurdistan 24</title>
  <link>https://www.kurdistan24.net/</link>
  <item>
    <title>Erbil airport reopens</title>
    <link>https://www.kurdistan24.net/en/story/1?utm_medium=rss</link>
    <pubDate>Tue, 15 Aug 2017 10:30:00 +0300</pubDate>
    <category>Erbil</category><category>Aviation</category>
    <description>Short summary.</description>
    <content:encoded><![CDATA[<p>ERBIL, Kurdistan Region – Flights resumed on Tuesday.</p>
      <p>The airport had been closed for a week.</p><script>alert(1)</script>]]></content:encoded>
  </item>
  <item>
    <title>Second story</title>
    <link>https://www.kurdistan24.net/en/story/2</link>
    <pubDate>Wed, 16 Aug 2017 08:00:00 GMT</pubDate>
    <description><![CDATA[<p>Only a summary, but <b>enough</b> to keep.</p>]]></description>
  </item>
  <item>
    <title></title>
    <link>https://www.kurdistan24.net/en/story/3</link>
    <description>An entry without a title.</description>
  </item>
</channel>
</rss>
"""


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <title>Dam repairs begin | The Example Times</title>
  <link rel="canonical" href="https://www.example-times.com/world/mosul-dam?utm_campaign=x">
  <meta property="og:site_name" content="The Example Times">
  <meta name="keywords" content="Mosul, Dams">
  <meta property="article:published_time" content="2017-08-15T10:00:00+03:00">
</head>
<body>
  <nav><a href="/">Home</a> | <a href="/world">World</a> | Subscribe</nav>
  <div class="share">Share on Facebook</div>
  <article>
    <h1>Dam repairs begin</h1>
    <p>MOSUL, Iraq – Engineers began repairs on the Mosul dam on Tuesday, the ministry of
    water resources said in a statement that was published on its website.</p>
    <p>The dam, the largest in Iraq, has been at risk of collapse for years because its
    foundations are eroding, according to engineers who have studied the structure.</p>
    <p>Work is expected to take eighteen months and to cost about three hundred million
    dollars, officials said, adding that residents downstream were not in danger.</p>
  </article>
  <aside>Most read: something else entirely</aside>
  <footer>Copyright 2017 The Example Times. All rights reserved.</footer>
</body>
</html>
"""


def page_file(folder, page: str, read_from: str) -> str:
    """An HTML page written as ``read_from`` says: "a page" (the page alone) or "a WARC
    record" (the page in a crawl's response record); the file's path."""
    path = folder / "page"
    if read_from == "a page":
        path.write_text(page)
    else:
        path.write_bytes(warc_bytes([("https://e.com/dam", "text/html", page.encode())]))
    return str(path)


def warc_bytes(
    records: list[tuple[str, str, bytes] | tuple[str, str, bytes, str]], gzipped: bool = True
) -> bytes:
    """A real WARC file: (target URI, content type, payload[, HTTP status]) response records."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzipped)
    for uri, content_type, payload, *status in records:
        headers = StatusAndHeaders(
            status[0] if status else "200 OK",
            [("Content-Type", content_type)],
            protocol="HTTP/1.0",
        )
        record = writer.create_warc_record(
            uri,
            "response",
            payload=io.BytesIO(payload),
            http_headers=headers,
            warc_headers_dict={"WARC-Date": "2017-08-16T12:00:00Z"},
        )
        writer.write_record(record)
    return buffer.getvalue()
