"""Facet values' readable names (outlet, tag and place names), remembered in each process;
and places' slugs, which the links write where the index counts places by id.

A results page labels up to eighty facet values: three queries a page (outlets, tags, and
places' names with their slugs), about a tenth of a tantivy results page's time. Names
seldom change, so each process keeps those it has looked up for a minute at most
(LABELS_KEPT_FOR); a rename or deletion through the models (the admin, curation) forgets
them at once in the process that made it (search/signals.py), and in every other web
worker within that minute.
"""

import functools
import threading
import time
from collections.abc import Callable, Iterable

from archive.models import Outlet, Region, Tag

LABELS_KEPT_FOR = 60.0  # seconds
MAX_LABELS = 50_000  # per kind: past it, the kind is forgotten and looked up again


# A lookup answers for one kind or more: {kind: {value: name}}.
Lookup = Callable[[list[str]], dict[str, dict[str, str]]]


def _names_by_slug(
    model: type[Outlet | Tag], kind: str, values: list[str]
) -> dict[str, dict[str, str]]:
    return {kind: dict(model.objects.filter(slug__in=values).values_list("slug", "name"))}


def _region_names_and_slugs(values: list[str]) -> dict[str, dict[str, str]]:
    """Places' names and slugs by id, in one query: a page asks for both of the same places
    (search.service._label_facets), and gets the second kept from the first."""
    ids = [int(value) for value in values if value.isascii() and value.isdigit()]
    found = list(Region.objects.filter(id__in=ids).values_list("id", "name", "slug"))
    return {
        "region": {str(pk): name for pk, name, _ in found},
        "region_slug": {str(pk): slug for pk, _, slug in found},
    }


_LOOKUPS: dict[str, Lookup] = {
    "outlet": functools.partial(_names_by_slug, Outlet, "outlet"),
    "tag": functools.partial(_names_by_slug, Tag, "tag"),
    "region": _region_names_and_slugs,
    # Not a label: what a place facet's link filters by (search.service._label_facets).
    "region_slug": _region_names_and_slugs,
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
            # None remembers a value without a name: not asked for again each page.
            looked_up = {
                found_kind: {value: found.get(value) for value in missing}
                for found_kind, found in lookup(missing).items()
            }
            named |= looked_up[kind]
            with self._lock:
                if self._generation == generation:  # nothing forgotten meanwhile
                    for found_kind, found in looked_up.items():
                        known = self._names.setdefault(found_kind, {})
                        if len(known) + len(found) > MAX_LABELS:
                            known.clear()
                        known |= found
        return {value: name for value, name in named.items() if name is not None}

    def forget(self) -> None:
        with self._lock:
            self._forget()

    def _forget(self) -> None:
        self._names, self._since = {}, self.clock()
        self._generation += 1


labels = FacetLabels()
