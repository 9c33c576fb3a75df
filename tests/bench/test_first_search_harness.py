"""bench/first_search.py on an archive bench/search.py kept: a new worker's first pages,
timed both ways, printed and recorded."""

import pytest
from django.db import connection

from tests.bench.scripts import run_bench


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite + Whoosh whatever the suite's database: runs in the SQLite pass of .ci/run",
)
def test_the_first_pages_of_a_new_worker_are_timed_both_ways_and_recorded(tmp_path, kept_archive):
    archive = kept_archive
    results = tmp_path / "RESULTS.md"
    finished = run_bench(
        "first_search.py", f"--reuse={archive}", "--runs=1", "--record", f"--results={results}"
    )
    assert finished.returncode == 0, finished.stderr[-4000:]
    rows = [line for line in finished.stdout.splitlines() if line.startswith("| a worker")]
    rows += [line for line in finished.stdout.splitlines() if line.startswith("| the WSGI")]
    assert len(rows) == 2
    for row in rows:  # start-up and three pages, each a time
        times = [cell.strip().replace(",", "") for cell in row.strip("|").split("|")[1:]]
        assert len(times) == 4, row
        assert all(float(time) > 0 for time in times), row
    recorded = results.read_text()
    assert "## First search pages of a new web worker: 200 articles, whoosh on sqlite" in recorded
    assert "Command: `python bench/first_search.py --reuse=" in recorded
    assert rows[0] in recorded
