"""The in-memory gazetteer (archive.places.Gazetteer) kept in a file, for the next process.

Building the gazetteer reads every region and name (40,000 and 130,000 rows for the whole
world) and folds and indexes them: about a second of CPU, paid by each ingest before its
first article (while the reader process waits to be forked with it) and by each web worker
every GAZETTEER_MAX_AGE. Read back from its file it takes a fifth of that.

A file is used only while the database still holds what it was built from. Its key is:
the database's ``GazetteerVersion`` token, which every write to regions or their names
replaces (``archive.models.places.regions_changed``); the count and highest id of both
tables, against writers that bypass it (bulk_create sends no signal, nor does raw SQL);
and a digest of the code that folds, indexes and files the names, so that a changed
``fold`` never meets names folded the old way. The key is read before the rows, so rows
are at least as new as the key they are filed under. One file per database
(``GAZETTEER_CACHE_DIR``), replaced whole.

A file that cannot be read or written costs the build it would have saved, never the
ingest: it is rebuilt from the database and a warning logged.
"""

import hashlib
import logging
import os
import pickle
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.db.models import Count, Max

from archive.models import GazetteerVersion, Region, RegionName

logger = logging.getLogger(__name__)

# What a file holds: the places as rows (id, name, kind, country, population, lineage),
# the folded names' region ids, the acronyms, the ISO codes' ids, the names' prefixes.
Parts = dict[str, Any]


def database_key() -> tuple | None:
    """What the regions' tables hold now, as far as a file's key tells; None when the
    database has no version token (a database flushed by a test), when no file is used."""
    token = GazetteerVersion.objects.values_list("token", flat=True).first()
    if token is None:
        return None
    counts = [
        tuple(model.objects.aggregate(rows=Count("id"), last=Max("id")).values())
        for model in (Region, RegionName)
    ]
    return (_code_digest(), token, *counts)


def load(key: tuple) -> Parts | None:
    """The parts filed under ``key``, or None (no file, another key, an unreadable file)."""
    path = _path()
    if path is None or not path.exists():
        return None
    try:
        with path.open("rb") as file:
            filed = _OnlyPlainData(file).load()
        if not isinstance(filed, dict) or filed.get("key") != key:
            return None
        return filed["parts"]
    except Exception as error:  # a damaged file is a miss: the build replaces it
        logger.warning("The gazetteer file %s could not be read (%s); rebuilding it.", path, error)
        return None


def save(key: tuple, parts: Parts) -> None:
    """File ``parts`` under ``key``, replacing the file whole (readers see the old file or
    the new one, never half of one)."""
    path = _path()
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".gazetteer-")
        try:
            with os.fdopen(descriptor, "wb") as file:
                pickle.dump({"key": key, "parts": parts}, file, pickle.HIGHEST_PROTOCOL)
            os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from other users' workers
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        logger.warning("The gazetteer could not be saved to %s: %s", path, error)


def _path() -> Path | None:
    directory = getattr(settings, "GAZETTEER_CACHE_DIR", None)
    if not directory:
        return None
    alias = router.db_for_read(Region)
    database = connections[alias].settings_dict
    where = f"{database['ENGINE']}|{database['NAME']}|{database['HOST']}|{database['PORT']}"
    return Path(directory) / f"gazetteer-{hashlib.sha256(where.encode()).hexdigest()[:16]}.pickle"


@cache
def _code_digest() -> str:
    """The source of the code that makes the gazetteer's names and files them: a change to
    it makes every file stale."""
    from archive import places, text

    digest = hashlib.sha256()
    for source in (places.__file__, text.__file__, __file__):
        digest.update(Path(source).read_bytes())
    return digest.hexdigest()


class _OnlyPlainData(pickle.Unpickler):
    """A file holds lists, tuples, dicts, sets, strings and numbers only: naming any class
    or function (what a pickle runs code with) fails the load."""

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")
