"""Facet values' readable names (outlet, tag and place names), remembered in each process;
and places' slugs, which the links write where the index counts places by id.

A results page labels up to eighty facet values: three queries a page, about a tenth of a
tantivy results page's time. Names seldom change, so each process keeps those it has looked
up for a minute at most (LABELS_KEPT_FOR); a rename or deletion through the models (the
admin, curation) forgets them at once in the process that made it (search/signals.py), and
in every other web worker within that minute.
"""

import functools
import threading
import time
from collections.abc import Callable, Iterable

from archive.models import Outlet, Region, Tag

LABELS_KEPT_FOR = 60.0  # seconds
MAX_LABELS = 50_000  # per kind: past it, the kind is forgotten and looked up again


def _names_by_slug(model: type[Outlet | Tag], values: list[str]) -> dict[str, str]:
    return dict(model.objects.filter(slug__in=values).values_list("slug", "name"))


def _region_field_by_id(field_name: str, values: list[str]) -> dict[str, str]:
    ids = [int(value) for value in values if value.isascii() and value.isdigit()]
    found = Region.objects.filter(id__in=ids).values_list("id", field_name)
    return {str(pk): value for pk, value in found}


_LOOKUPS: dict[str, Callable[[list[str]], dict[str, str]]] = {
    "outlet": functools.partial(_names_by_slug, Outlet),
    "tag": functools.partial(_names_by_slug, Tag),
    "region": functools.partial(_region_field_by_id, "name"),
    # Not a label: what a place facet's link filters by (search.service._label_facets).
    "region_slug": functools.partial(_region_field_by_id, "slug"),
}


class FacetLabels:
    def __init__(
        self, kept_for: float = LABELS_KEPT_FOR, clock: Callable[[], float] = time.monotonic
    ):
        self.kept_for = kept_for
        self.clock = clock
        self._lock = threading.Lock()
        self._names: dict[str, dict[str, str | None]] = {}
        self._since = clock()
        # Counts the times everything was forgotten: a lookup that started before the last
        # time read names that may have changed since, and does not keep them.
        self._generation = 0

    def names(self, kind: str, values: Iterable[str]) -> dict[str, str]:
        """The names of those values of a kind that have one (a value with none, like a
        year, is its own label); values no longer in the database are left out."""
        lookup = _LOOKUPS.get(kind)
        if lookup is None:
            return {}
        values = list(values)
        with self._lock:
            if self.clock() - self._since > self.kept_for:
                self._forget()
            generation = self._generation
            known = self._names.setdefault(kind, {})
            named = {value: known[value] for value in values if value in known}
        missing = [value for value in values if value not in named]
        if missing:
            found = lookup(missing)
            # None remembers a value without a name: not asked for again each page.
            looked_up = {value: found.get(value) for value in missing}
            named |= looked_up
            with self._lock:
                if self._generation == generation:  # nothing forgotten meanwhile
                    known = self._names.setdefault(kind, {})
                    if len(known) + len(looked_up) > MAX_LABELS:
                        known.clear()
                    known |= looked_up
        return {value: name for value, name in named.items() if name is not None}

    def forget(self) -> None:
        with self._lock:
            self._forget()

    def _forget(self) -> None:
        self._names, self._since = {}, self.clock()
        self._generation += 1


labels = FacetLabels()
