"""The search benchmark, end to end at a tiny size, so that it cannot rot: it builds an
archive, asks every query class three ways (twice: medians of the runs) and writes a table
with sane figures."""

import json
import math
import re

import pytest
from django.db import connection

from bench import search as harness
from bench.search_queries import CLASSES
from tests.bench.scripts import run_bench
from tests.processes import ROOT

QUERIES = 5


def _rows(output: str) -> dict[str, list[str]]:
    rows = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells[0] in CLASSES:
            rows[cells[0]] = cells
    return rows


def test_search_harness_measures_every_class_three_ways(tmp_path):
    archive, results = tmp_path / "archive", tmp_path / "RESULTS.md"
    finished = run_bench(
        "search.py",
        "--articles=200",
        f"--queries={QUERIES}",
        "--warmup=2",
        "--repeat=2",
        f"--reuse={archive}",
        "--record",
        f"--results={results}",
        "--label=test",
        timeout=900,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    output = finished.stdout

    rows = _rows(output)
    assert list(rows) == list(CLASSES)
    for kind, cells in rows.items():
        assert cells[1] == f"{QUERIES} ×2", kind  # per run, two runs
        assert re.fullmatch(r"[\d,]+ / [\d,]+", cells[2]), cells
        timings = [float(cell) for cell in cells[3:12]]
        assert all(math.isfinite(ms) and ms > 0 for ms in timings), (kind, timings)
        for p50, p95, p99 in zip(timings[0::3], timings[1::3], timings[2::3], strict=True):
            assert p50 <= p95 <= p99, (kind, timings)
        assert all(re.fullmatch(r"\d+\.\d×", ratio) for ratio in cells[12:14]), cells
    # Frequent words are found, and every misspelling gets its "Did you mean".
    assert int(rows["common word"][2].split(" / ")[0]) > 0
    assert f"api {QUERIES}/{QUERIES}, page {QUERIES}/{QUERIES}" in output
    assert "errors" not in output
    assert re.search(r"Web worker .*: peak RSS \d+ MiB", output)
    assert "each percentile the median of 2 runs'" in output
    assert re.search(r"rebuild_index \d+ s \(\d+ articles/s\), peak \d+ MiB", output)

    manifest = json.loads((archive / "archive.json").read_text())
    assert manifest["articles"] == 200
    assert manifest["raw_text_bytes"] > 0
    assert manifest["sizes"]["index_dir"] > 0
    recorded = results.read_text()
    assert "## Search latency (test): 200 articles, whoosh on sqlite" in recorded
    assert "Command: `python bench/search.py --articles=200" in recorded
    assert rows["facet counts"][0] in recorded

    # The page of two checkouts (here this one twice) in turns, on the archive just measured.
    compared = run_bench(
        "page_ab.py", f"--reuse={archive}", f"--before={ROOT}", "--rounds=1", "--warmup=1"
    )
    assert compared.returncode == 0, compared.stderr[-3000:]
    ab_rows = _rows(compared.stdout)
    assert list(ab_rows) == list(CLASSES)
    for kind, cells in ab_rows.items():
        before_p50, before_p95, this_p50, this_p95 = (float(cell) for cell in cells[1:5])
        assert 0 < before_p50 <= before_p95, (kind, cells)
        assert 0 < this_p50 <= this_p95, (kind, cells)

    # Another archive of the same articles, built from this one's corpus, not a new one.
    other = tmp_path / "other"
    built = run_bench(
        "search.py",
        "--articles=200",
        "--backend=tantivy",
        f"--reuse={other}",
        f"--corpus-from={archive}",
        "--build-only",
    )
    assert built.returncode == 0, built.stderr[-3000:]
    assert (other / "corpus.jsonl").samefile(archive / "corpus.jsonl")
    other_manifest = json.loads((other / "archive.json").read_text())
    assert other_manifest["raw_text_bytes"] == manifest["raw_text_bytes"]
    assert other_manifest["built"]


def test_each_percentile_is_the_median_of_the_runs_own():
    from bench.search import run_percentiles

    def run(*ms: float) -> dict:
        return {"page": {"classes": {"rare word": {"ms": list(ms)}}}}

    # p50, p95, p99 of each run: (2, 10, 10), (5, 5, 5), (1, 1, 100).
    outcomes = [run(*[2.0] * 90, *[10.0] * 10), run(5.0), run(*[1.0] * 98, 100.0, 100.0)]
    assert run_percentiles(outcomes, "page", "rare word") == (2.0, 5.0, 10.0)


def test_a_corpus_is_taken_only_from_a_finished_archive_of_the_same_articles(tmp_path):
    from bench.search import same_corpus

    wanted = {"articles": 200, "seed": 2017}
    (tmp_path / "archive.json").write_text(json.dumps(wanted))
    with pytest.raises(SystemExit, match="not finished"):
        same_corpus(tmp_path, wanted)
    (tmp_path / "archive.json").write_text(json.dumps(wanted | {"built": "today"}))
    assert same_corpus(tmp_path, wanted) == tmp_path / "corpus.jsonl"
    with pytest.raises(SystemExit, match="other articles"):
        same_corpus(tmp_path, wanted | {"articles": 300})


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: runs in the PostgreSQL pass of .ci/run",
)
@pytest.mark.django_db
def test_an_entry_names_the_postgresql_settings_its_figures_hold_for():
    described = harness.machine({"database": "postgres"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_setting('shared_buffers')")
        version, shared_buffers = cursor.fetchone()
    assert f"shared_buffers {shared_buffers}, " in described
    settings = r"\(shared_buffers \S+, effective_cache_size \S+, work_mem \S+, jit (on|off)\)$"
    assert re.search(rf"PostgreSQL .+ {settings}", described)
    assert described.split("PostgreSQL ")[1].split()[0] in version
