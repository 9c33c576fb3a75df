"""What a record needs before it meets the database: plain text, normalised, hashed,
fingerprinted, its place names found. None of it reads or writes the database, so it can
run in a reader process beside the one that saves and indexes (two cores, twice the work).

The reader process is forked from the ingest once the gazetteer and the outlets' rules are
in memory, reads every source in order and sends the prepared records back in chunks, in
input order, errors (with their file and line) among them. It only reads: whatever it does
and whenever it dies, the saving process alone decides what is committed, so a kill at any
moment still ends with every article exactly once on the next run.
"""

import multiprocessing
import queue
import signal
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property

from archive.fingerprints import simhash
from archive.ingest.article_data import ArticleData
from archive.ingest.errors import IngestError
from archive.ingest.normalise import normalise, strip_markup, text_language
from archive.ingest.saved_page import OutletRules
from archive.mentions import Mention, find_mentions
from archive.places import current_gazetteer
from archive.processes import die_with_parent
from archive.text import content_hash

TITLE_LENGTH = 500  # Article.title's max_length: places are found in the title as saved
CHUNK = 64  # records a message: pickling and queue costs are per message, not per record
CHUNKS_IN_FLIGHT = 8  # how far the reader may run ahead: memory stays flat


@dataclass
class Prepared:
    """One record ready to save. The derived values are computed on first use: in the
    saving process only for the records that need them (not for a duplicate), in the
    reader process for all, a chunk at a time, before they are sent (``completed``)."""

    data: ArticleData  # markup stripped, normalised

    @cached_property
    def digest(self) -> str:
        return content_hash(self.data.title, self.data.body)

    @cached_property
    def fingerprint(self) -> int | None:
        return simhash(self.data.body)

    @cached_property
    def mentions(self) -> list[Mention]:
        gazetteer = current_gazetteer()  # the run's, pinned (archive.places.gazetteer_pinned)
        return find_mentions(
            self.data.title[:TITLE_LENGTH],
            self.data.body,
            gazetteer.names,
            gazetteer.prefixes,
            gazetteer.acronyms,
        )


Item = Prepared | IngestError


def prepare(
    item: ArticleData | IngestError,
    rules_for_outlet: Callable[[str], OutletRules],
    detect_language: bool = True,
) -> Item:
    """A record read, made ready to save; a record left with nothing is an error, which
    carries the record as read (a JSON Lines object) for the rejected log, as a reader's
    errors do. Without ``detect_language``, a language the source does not declare is
    left "" for ``completed`` to detect."""
    if isinstance(item, IngestError):
        return item
    try:
        data = strip_markup(item)
        data = normalise(data, rules_for_outlet(data.outlet_name), detect=detect_language)
    except IngestError as error:
        if error.record is None:
            error.record = item.as_read
        return error
    # Kept only for the rejected log: not sent from the reader process with every record.
    return Prepared(replace(data, as_read=None))


class ReaderProcessDied(RuntimeError):
    """The reader process ended without finishing (killed, or a bug in a reader): nothing
    it had not sent was saved."""


def in_reader_process(records: Callable[[], Iterator[Item]]) -> Iterator[Item]:
    """``records()`` run in a forked process, its items yielded here in the same order.

    Closing the iterator (the ingest stopped, --strict) ends the process. Call it before
    anything starts threads or opens files it must not share (the index write)."""
    context = multiprocessing.get_context("fork")
    channel = context.Queue(maxsize=CHUNKS_IN_FLIGHT)
    reader = context.Process(
        target=_read, args=(records, channel), name="ingest-reader", daemon=True
    )
    reader.start()
    # The reader has its own copy of ``records`` and of all it holds (forked): this process
    # keeps none of it. Held for the whole run, the gazetteer it pinned outlived the one
    # this process reads afresh every GAZETTEER_MAX_AGE: two in memory for the rest of a
    # long ingest.
    del records
    try:
        while True:
            try:
                kind, payload = channel.get(timeout=1)
            except queue.Empty:
                if not reader.is_alive():
                    raise ReaderProcessDied(
                        f"The ingest's reader process ended (exit code {reader.exitcode})."
                    ) from None
                continue
            if kind == "items":
                yield from payload
            elif kind == "failed":
                raise ReaderProcessDied(f"The ingest's reader process failed:\n{payload}")
            else:
                return
    finally:
        if reader.is_alive():
            reader.kill()
        reader.join()
        channel.close()
        channel.cancel_join_thread()


def _read(records: Callable[[], Iterator[Item]], channel) -> None:
    """The reader process: prepare everything, send it in chunks, then say it is done."""
    die_with_parent()  # else a killed ingest would leave it waiting on a full channel
    # Ctrl-C reaches the whole process group: the saving process stops, and ends this one.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        chunk: list[Item] = []
        for item in records():
            chunk.append(item)
            if len(chunk) >= CHUNK:
                channel.put(("items", completed(chunk)))
                chunk = []
        if chunk:
            channel.put(("items", completed(chunk)))
        channel.put(("done", None))
    except BaseException:
        channel.put(("failed", traceback.format_exc()))
    # Leave through multiprocessing, which flushes the channel; nothing else of the parent's
    # (its database connection above all) is touched on the way out.


def completed(chunk: list[Item]) -> list[Item]:
    """A chunk's records with every derived value computed, one step at a time for all of
    them: the text's language where the source declared none (``prepare`` without
    detect_language), the content hashes, the fingerprints, the place names. Step by step
    rather than record by record, each step's tables (the language model, the word hashes,
    the gazetteer's names) stay in the CPU's caches through the chunk: the reader process
    took 0.65 ms of CPU an article instead of 0.91 (10,000 articles, bench/RESULTS.md)."""
    prepared = [item for item in chunk if isinstance(item, Prepared)]
    for item in prepared:
        if not item.data.language:
            language = text_language(item.data.title, item.data.body)
            item.data = replace(item.data, language=language)
    for item in prepared:
        item.digest  # noqa: B018
    for item in prepared:
        item.fingerprint  # noqa: B018
    for item in prepared:
        item.mentions  # noqa: B018
    return chunk
