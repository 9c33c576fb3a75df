"""Running a bench/ script as a person runs it: this Python, from the project's root, its
output kept for the test to read."""

import subprocess
import sys

from tests.processes import ROOT

SEARCH_ARCHIVE_ARTICLES = 200  # the archive tests/bench/conftest.py keeps


def run_bench(script: str, *arguments: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
