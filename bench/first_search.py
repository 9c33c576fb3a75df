"""A web worker's first search pages: a fresh process, started as gunicorn starts a worker
(importing config/wsgi.py, which warms the search up) or with the WSGI handler alone (as a
worker was before), times its first /search/ pages.

    python bench/first_search.py --reuse DIR [--runs 3] [--record]

DIR is an archive bench/search.py built and kept (``--reuse DIR``, ``--build-only`` is
enough). Each run is a new process per way of starting; it asks a rare word, a common word
and two or three words, in that order, of the WSGI application with the production
settings, as gunicorn would. Prints each page's time, the median of the runs; --record
appends the table to bench/RESULTS.md with the date, commit and machine.
"""

import argparse
import json
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search import (  # noqa: E402
    collect_static,
    commit,
    environment,
    machine,
    page_settings,
    write_queries,
)

KINDS = ("rare word", "common word", "2-3 word AND")
STARTS = {
    # What gunicorn's worker does: import the WSGI module, which warms the search up.
    "a worker (config.wsgi)": "from config.wsgi import application",
    # What it did before: the WSGI handler (middleware loaded), the rest at a first request.
    "the WSGI handler alone": (
        "from django.core.wsgi import get_wsgi_application; application = get_wsgi_application()"
    ),
}
CHILD = """
import json, sys, time
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults
started = time.perf_counter()
{start}
ready = time.perf_counter() - started

def get(q):
    environ = {{
        "PATH_INFO": "/search/",
        "QUERY_STRING": urlencode({{"q": q}}),
        "HTTP_HOST": "testserver",
        "HTTP_X_FORWARDED_PROTO": "https",
    }}
    setup_testing_defaults(environ)
    statuses = []
    response = application(environ, lambda status, headers: statuses.append(status))
    b"".join(response)
    response.close()
    assert statuses[0].startswith("200"), statuses[0]

pages = []
for q in json.loads(sys.argv[1]):
    began = time.perf_counter()
    get(q)
    pages.append((time.perf_counter() - began) * 1000)
print(json.dumps({{"start_ms": ready * 1000, "pages_ms": pages}}))
"""


def first_queries(work: Path, manifest: dict) -> list[str]:
    path = work / "queries.json"
    if not path.exists():
        write_queries(manifest, work, argparse.Namespace(queries=200, warmup=20))
    queries = json.loads(path.read_text())
    return [next(q["q"] for q in queries if q["kind"] == kind) for kind in KINDS]


def run(start: str, queries: list[str], env: dict[str, str]) -> dict:
    child = CHILD.format(start=start)
    result = subprocess.run(
        [sys.executable, "-c", child, json.dumps(queries)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", type=Path, required=True, help="an archive bench/search.py kept")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args()
    work = args.reuse
    manifest = json.loads((work / "archive.json").read_text())
    env = environment(manifest, work, **page_settings(work, argparse.Namespace(page_size=10)))
    collect_static(work, env)
    queries = first_queries(work, manifest)
    runs = {name: [] for name in STARTS}
    for _ in range(args.runs):  # the two ways in turns, so that both see the same machine
        for name, start in STARTS.items():
            runs[name].append(run(start, queries, env))

    lines = [
        f"{manifest['articles']:,} articles, {manifest['backend']} on {manifest['database']}; "
        f"median of {args.runs} new processes each, in milliseconds. Queries, in order: "
        + ", ".join(f"{kind} ({q!r})" for kind, q in zip(KINDS, queries, strict=True))
        + ".",
        "",
        "| started as | start-up | first page | second page | third page |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, measured in runs.items():
        start = statistics.median(r["start_ms"] for r in measured)
        pages = [statistics.median(r["pages_ms"][i] for r in measured) for i in range(len(KINDS))]
        lines.append(f"| {name} | {start:,.0f} | " + " | ".join(f"{p:,.1f}" for p in pages) + " |")
    text = "\n".join(lines)
    print(text)
    if args.record:
        with args.results.open("a", encoding="utf-8") as results:
            results.write(
                f"\n## First search pages of a new web worker: {manifest['articles']:,} "
                f"articles, {manifest['backend']} on {manifest['database']}\n\n"
                f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}; "
                f"{machine(manifest)}.\n"
                f"Command: `python bench/first_search.py {' '.join(sys.argv[1:])}`\n\n{text}\n"
            )


if __name__ == "__main__":
    main()
