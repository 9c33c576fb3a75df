"""The WSGI and ASGI modules a web worker imports before it serves anything."""

import subprocess
import sys

import pytest

from tests.processes import ROOT, environment

# What a worker holds once it has imported its entry point (argv[1]), before any request;
# the search backend's warm_up says when it is called.
LOADED = """
import sys
import django
django.setup()
from search.backends import base
warm_up = base.SearchBackend.warm_up
def noted(backend):
    print("warmed up", type(backend).__module__, file=sys.stderr)
    warm_up(backend)
base.SearchBackend.warm_up = noted
import importlib
importlib.import_module(sys.argv[1])
print(" ".join(name for name in sys.argv[2:] if name in sys.modules))

# The routes' patterns compiled and the results template loaded: a first page does neither.
from django.template import engines
from django.urls import resolvers, reverse
populated = []
populate = resolvers.URLResolver._populate
def noting(resolver):
    populated.append(resolver)
    populate(resolver)
resolvers.URLResolver._populate = noting
reverse("archive:home")
[loader] = engines["django"].engine.template_loaders  # the cached loader
print("routes compiled again:", bool(populated), file=sys.stderr)
print("template cached:", "search/results.html" in loader.get_template_cache, file=sys.stderr)
"""


def import_entry_point(
    entry_point: str, modules: list[str], **settings: str
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", LOADED, entry_point, *modules],
        env=environment(**settings),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize("entry_point", ["config.wsgi", "config.asgi"])
def test_a_worker_loads_the_urlconf_and_warms_its_search_up_before_its_first_request(
    tmp_path, entry_point
):
    modules = ["config.urls", "search.views", "api.views", "archive.views"]
    modules.append("search.backends.tantivy")  # the configured backend's
    result = import_entry_point(
        entry_point, modules, SEARCH_BACKEND="tantivy", SEARCH_INDEX_DIR=str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == modules
    assert "warmed up search.backends.tantivy" in result.stderr
    assert "routes compiled again: False" in result.stderr
    assert "template cached: True" in result.stderr
    # No index yet (rebuild_index makes it): said, and the worker starts all the same, for
    # its pages to say that search is unavailable.
    assert "Search not warmed up: No search index" in result.stderr
