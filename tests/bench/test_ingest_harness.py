"""bench/ingest.py as a person runs it: a small corpus ingested end to end, and its table's
rate, memory and CPU figures read back (the CPU of each process is what tells where an
ingest's time goes: the saving process, the reader process, the database server)."""

from django.db import connection

from tests.bench.scripts import run_bench


def test_the_ingest_benchmark_gives_the_rate_and_each_process_cpu():
    database = "postgres" if connection.vendor == "postgresql" else "sqlite"
    finished = run_bench("ingest.py", "--articles", "40", "--no-bare", "--database", database)
    assert finished.returncode == 0, finished.stderr

    (row,) = [line for line in finished.stdout.splitlines() if line.startswith("| jsonl |")]
    cells = [cell.strip() for cell in row.strip(" |").split("|")]
    backend = "postgres" if database == "postgres" else "whoosh"
    assert cells[:3] == ["jsonl", database, backend]
    assert float(cells[3]) > 0  # articles a second
    # Peaks of the process and its largest child (ru_maxrss), the process's own (sampled:
    # a reader process of 40 articles may end before a sample sees it).
    assert all(int(mib) > 0 for mib in cells[5:8])
    saving, children, server = (float(ms) for ms in cells[9].split(" / "))
    assert saving > 0
    assert children > 0  # the reader process
    assert (server > 0) == (database == "postgres")  # the server serving the ingest, sampled
