"""The WSGI module a web worker imports before it serves anything."""

import subprocess
import sys

from tests.processes import ROOT, environment

# What a worker holds once it has imported config.wsgi, before any request.
LOADED = """
import sys
import config.wsgi
print(" ".join(name for name in sys.argv[1:] if name in sys.modules))
"""


def test_a_worker_loads_the_urlconf_and_its_views_before_its_first_request():
    modules = ["config.urls", "search.views", "api.views", "archive.views"]
    modules.append("search.backends.tantivy")  # the configured backend's
    result = subprocess.run(
        [sys.executable, "-c", LOADED, *modules],
        env=environment(SEARCH_BACKEND="tantivy"),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == modules
