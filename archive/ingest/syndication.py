"""Finding the first copy of a syndicated story among the articles published close to it.

Copies appear within days of each other, so only that window is compared: the archive's
fingerprints (SimHash) and times are read day by day, once a run, and kept in arrays, so
that each article is compared with the candidates of its week all at once (numpy), not one
by one in Python.

An ingest's records need not come in date order (a crawl, a dump sorted by id): read for
each batch anew, the windows of a batch of scattered dates covered much of the archive,
and every batch read it again (36,000 rows for a batch of 500 at 100,000 articles, more as
the archive grows). Kept for the run, each day is read once; the days least recently
used are let go past MAX_KEPT_ARTICLES, so memory stays bounded however big the archive.
"""

from collections import OrderedDict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import reduce
from operator import or_

import numpy as np
from django.db.models import Q, QuerySet

from archive.fingerprints import NEAR_DUPLICATE_BITS
from archive.models import Article

NEAR_DUPLICATE_WINDOW_DAYS = 3
MAX_KEPT_ARTICLES = 1_000_000  # 24 bytes each in the arrays: about 24 MB at most

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_DAY = timedelta(days=1)
_U64_MASK = (1 << 64) - 1  # fingerprints are stored signed; compared as 64 bits


class _Day:
    """The first copies published on one day: ids, fingerprints and times in arrays."""

    __slots__ = ("fingerprints", "ids", "moments")

    def __init__(self) -> None:
        self.ids = np.zeros(0, dtype=np.int64)
        self.fingerprints = np.zeros(0, dtype=np.uint64)
        self.moments = np.zeros(0, dtype=np.int64)  # microseconds since 1970, UTC

    def extend(self, ids: list[int], fingerprints: list[int], moments: list[int]) -> None:
        self.ids = np.concatenate([self.ids, np.array(ids, dtype=np.int64)])
        unsigned = [fingerprint & _U64_MASK for fingerprint in fingerprints]
        self.fingerprints = np.concatenate([self.fingerprints, np.array(unsigned, np.uint64)])
        self.moments = np.concatenate([self.moments, np.array(moments, dtype=np.int64)])

    def __len__(self) -> int:
        return len(self.ids)


class SyndicationFinder:
    """The first copies an ingest run has read or saved, day by day. For each batch:
    ``begin`` (reads the days its articles need), then ``first_copy_of`` and ``add`` for
    each new article in order, then ``saved`` once the batch is in the database (or
    ``discard`` when it was not: a dry run, a failed batch)."""

    def __init__(self, window_days: int = NEAR_DUPLICATE_WINDOW_DAYS) -> None:
        self._window = timedelta(days=window_days) // _MICROSECOND
        self._window_days = window_days
        self._days: OrderedDict[int, _Day] = OrderedDict()  # least recently used first
        self._kept = 0
        # This batch's first copies, not saved yet: (article, fingerprint, moment), and
        # their fingerprints (as 64 bits) and moments apart, made arrays in C for each
        # article: a Python loop over the batch's list for each of its articles was a
        # twentieth of the saving process's time.
        self._unsaved: list[tuple[Article | int, int, int]] = []
        self._unsaved_fingerprints: list[int] = []
        self._unsaved_moments: list[int] = []
        # The newest article id read, and the ids this run saved since: articles another
        # process (a second ingest, an editor) saves during the run are read by id, newer.
        self._newest_read: int | None = None
        self._saved_since_read: set[int] = set()

    # A batch

    def begin(self, published: Iterable[datetime]) -> None:
        """Read the days a batch's articles are compared with, those not read before."""
        self._forget_unsaved()
        self._read_others_new_articles()
        needed = sorted(
            {
                day + offset
                for day in {_day_of(_microseconds(moment)) for moment in published}
                for offset in range(-self._window_days, self._window_days + 1)
            }
        )
        missing = [day for day in needed if day not in self._days]
        for day in missing:
            self._days[day] = _Day()
        if missing:
            self._keep(
                (article_id, fingerprint, _microseconds(published_at))
                for article_id, fingerprint, published_at, copy_of in self.published_within(
                    _day_ranges(missing)
                )
                if copy_of is None and fingerprint is not None
            )
        for day in needed:
            self._days.move_to_end(day)
        self._let_go(keep=set(needed))

    def _read_others_new_articles(self) -> None:
        """The first copies saved since the last batch by others than this run, on the days
        kept (one query, by the primary key). On PostgreSQL an id taken before another's
        and committed after it can be missed: as rare as two ingests of one story at once."""
        if self._newest_read is None:
            newest = Article.objects.order_by("-id").values_list("id", flat=True).first()
            self._newest_read = newest or 0
            return
        found: list[tuple[int, int, int]] = []
        newer = Article.objects.filter(id__gt=self._newest_read).values_list(
            "id", "simhash", "published_at", "near_duplicate_of_id"
        )
        for article_id, fingerprint, published_at, copy_of in newer:
            self._newest_read = max(self._newest_read, article_id)
            if article_id in self._saved_since_read or copy_of is not None:
                continue
            moment = _microseconds(published_at)
            day = _day_of(moment)
            # A day not kept is read when a batch needs it; one read since has it already.
            if fingerprint is None or day not in self._days or article_id in self._days[day].ids:
                continue
            found.append((article_id, fingerprint, moment))
        self._keep(found)
        self._saved_since_read = set()

    def _keep(self, first_copies: Iterable[tuple[int, int, int]]) -> None:
        """(id, fingerprint, moment) of first copies, onto the days kept they fall on."""
        by_day: dict[int, tuple[list[int], list[int], list[int]]] = {}
        for article_id, fingerprint, moment in first_copies:
            ids, fingerprints, moments = by_day.setdefault(_day_of(moment), ([], [], []))
            ids.append(article_id)
            fingerprints.append(fingerprint)
            moments.append(moment)
        for day, (ids, fingerprints, moments) in by_day.items():
            self._days[day].extend(ids, fingerprints, moments)
            self._kept += len(ids)

    def first_copy_of(
        self, fingerprint: int | None, published_at: datetime
    ) -> "Article | int | None":
        """The earliest published first copy within the window and a few bits of the
        fingerprint: a saved one's id, or the article itself when it is new in this batch
        (one saved before it wins a tie). None when there is none."""
        if fingerprint is None:
            return None
        moment = _microseconds(published_at)
        day = _day_of(moment)
        days = [
            self._days[near]
            for near in range(day - self._window_days, day + self._window_days + 1)
            if near in self._days and len(self._days[near])
        ]
        unsaved = self._unsaved
        if not days and not unsaved:
            return None
        ids = np.concatenate([d.ids for d in days] + [np.full(len(unsaved), -1, np.int64)])
        fingerprints = np.concatenate(
            [d.fingerprints for d in days] + [np.array(self._unsaved_fingerprints, dtype=np.uint64)]
        )
        moments = np.concatenate(
            [d.moments for d in days] + [np.array(self._unsaved_moments, dtype=np.int64)]
        )
        differing = fingerprints ^ np.uint64(fingerprint & _U64_MASK)
        close = np.abs(moments - moment) <= self._window
        found = np.flatnonzero(close & (np.bitwise_count(differing) <= NEAR_DUPLICATE_BITS))
        if not found.size:
            return None
        first = int(found[np.argmin(moments[found])])  # the first of equals: saved ones first
        saved = sum(len(d) for d in days)
        return int(ids[first]) if first < saved else unsaved[first - saved][0]

    def add(
        self,
        article: "Article | int",
        fingerprint: int | None,
        published_at: datetime,
        is_copy: bool,
    ) -> None:
        """A new article of this batch: a first copy later ones may be linked to."""
        if fingerprint is not None and not is_copy:
            moment = _microseconds(published_at)
            self._unsaved.append((article, fingerprint, moment))
            self._unsaved_fingerprints.append(fingerprint & _U64_MASK)
            self._unsaved_moments.append(moment)

    def saved(self) -> None:
        """The batch is in the database: its first copies are kept by id, for later batches."""
        saved = []
        for article, fingerprint, moment in self._unsaved:
            article_id = article if isinstance(article, int) else article.pk
            if article_id is None:
                continue
            self._saved_since_read.add(article_id)
            if _day_of(moment) in self._days:  # a day let go is read again when needed
                saved.append((article_id, fingerprint, moment))
        self._keep(saved)
        self._forget_unsaved()

    def discard(self) -> None:
        """The batch was not saved: forget its first copies."""
        self._forget_unsaved()

    def _forget_unsaved(self) -> None:
        self._unsaved, self._unsaved_fingerprints, self._unsaved_moments = [], [], []

    def forget(self, article_ids: set[int]) -> None:
        """Articles that are no first copy as they were read: deleted since (by an editor),
        made a copy, or changed by this run (a new version: added again as it is now)."""
        for day in self._days.values():
            keep = ~np.isin(day.ids, np.fromiter(article_ids, np.int64))
            if not keep.all():
                self._kept -= int((~keep).sum())
                day.ids, day.fingerprints, day.moments = (
                    day.ids[keep],
                    day.fingerprints[keep],
                    day.moments[keep],
                )

    def _let_go(self, keep: set[int]) -> None:
        while self._kept > MAX_KEPT_ARTICLES and len(self._days) > len(keep):
            day, arrays = next(iter(self._days.items()))
            if day in keep:  # least recently used is this batch's: nothing older to let go
                break
            del self._days[day]
            self._kept -= len(arrays)

    @staticmethod
    def published_within(ranges: list[tuple[datetime, datetime]]) -> QuerySet:
        """(id, simhash, published_at, near_duplicate_of_id) of the articles published in
        the ranges (each from its start, up to and not including its end). Only the dates
        are asked of the database: given "and not a copy" as well, SQLite (which keeps no
        statistics unless ANALYZE is run) went by the index of near_duplicate_of_id, whose
        NULL is nearly every row, and read the whole table for each batch: the ingest
        slowed from 1,200 to 260 articles/s at 600,000."""
        in_window = reduce(
            or_, (Q(published_at__gte=start, published_at__lt=end) for start, end in ranges)
        )
        return (
            Article.objects.filter(in_window)
            .order_by("published_at", "id")
            .values_list("id", "simhash", "published_at", "near_duplicate_of_id")
        )


def _microseconds(moment: datetime) -> int:
    """Exact, as timedelta arithmetic is: the window's edge is where it was."""
    return (moment - _EPOCH) // _MICROSECOND


def _day_of(moment: int) -> int:
    return moment // (_DAY // _MICROSECOND)


def _day_ranges(days: list[int]) -> list[tuple[datetime, datetime]]:
    """Runs of consecutive days (sorted) as (start, end) moments, end excluded."""
    ranges: list[tuple[datetime, datetime]] = []
    for day in days:
        start = _EPOCH + day * _DAY
        if ranges and ranges[-1][1] == start:
            ranges[-1] = (ranges[-1][0], start + _DAY)
        else:
            ranges.append((start, start + _DAY))
    return ranges
