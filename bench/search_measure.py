"""One way of asking, measured in a process of its own (started by bench/search.py):

    python bench/search_measure.py bare|api|page --queries FILE --out FILE [--warmup N]
        [--timed N] [--budget SECONDS]

bare  the engine alone (bench/search_engines.py) on the index Dateline built;
api   the configured backend's SearchBackend.search with the SearchRequest that
      search.service.build_request makes (built before the clock starts);
page  GET /search/ through Django's test client: the whole page, middleware to template.

Settings, database and index come from the environment the harness sets. Every class's
first N queries warm up (untimed, all classes first), the rest are timed one by one. The
process's peak resident memory at the end is, for ``page``, the web worker's figure.

With --profile CLASS, nothing is timed: after the warm-up, that class's queries run under
pyinstrument and its report (text, and HTML beside it) goes to --out.
"""

import argparse
import json
import re
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

from bench.search_queries import CLASSES, BenchQuery  # noqa: E402

PAGE_TOTAL = re.compile(r'class="search-total">(?:About )?([\d,]+) result')


def resident_mib() -> dict[str, float]:
    """Resident memory now: all of it (VmRSS), the process's own (RssAnon: what grows with
    its caches and arrays) and the file pages it maps (RssFile: mostly an index's files,
    shared with the page cache and other workers, which the kernel can drop)."""
    fields = {"VmRSS:": "rss_mib", "RssAnon:": "anon_mib", "RssFile:": "file_mib"}
    figures = dict.fromkeys(fields.values(), 0.0)
    for line in Path("/proc/self/status").read_text().splitlines():
        name = line.split(maxsplit=1)[0] if line else ""
        if name in fields:
            figures[fields[name]] = int(line.split()[1]) / 1024
    return figures


def runner(mode: str, page_size: int, queries: list[BenchQuery]):
    """A function that runs one query and returns (total, hits shown, suggested)."""
    import os

    from django.conf import settings

    from search import service
    from search.backends import load_backend

    requests = {
        query: service.build_request(
            query.q, sort=query.sort or "relevance", page_size=page_size, facets=query.facets
        )
        for query in queries
    }
    if mode == "bare":
        from bench.search_engines import bare_engine

        engine = bare_engine(
            settings.SEARCH_BACKEND, Path(settings.SEARCH_INDEX_DIR), os.environ["DATABASE_URL"]
        )
        return lambda query: engine.search(query, requests[query], page_size)
    if mode == "api":
        backend = load_backend(settings.SEARCH_BACKEND)

        def api(query: BenchQuery) -> tuple:
            results = backend.search(requests[query])
            return results.total, len(results.hits), results.suggestion is not None

        return api
    from django.test import Client

    client = Client()

    def page(query: BenchQuery) -> tuple:
        params = {"q": query.q} | ({"sort": query.sort} if query.sort else {})
        response = client.get("/search/", params, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"/search/?q={query.q} answered {response.status_code}")
        return response

    return page


def page_figures(response) -> tuple:
    """(total, hits shown, suggested) read from a results page, after the clock stopped."""
    html = response.content.decode()
    total = PAGE_TOTAL.search(html)
    return (
        int(total.group(1).replace(",", "")) if total else 0,
        html.count('class="hit"'),
        'class="suggestion"' in html,
    )


def warmed_up(mode: str, queries: list[BenchQuery], warmup: int, page_size: int) -> tuple:
    """The runner, after every class's first ``warmup`` queries, and the rest by class."""
    run = runner(mode, page_size, queries)
    by_class: dict[str, list[BenchQuery]] = {}
    for query in queries:
        by_class.setdefault(query.kind, []).append(query)
    for batch in by_class.values():
        for query in batch[:warmup]:
            run(query)
    return run, {kind: batch[warmup:] for kind, batch in by_class.items()}


def measure(
    mode: str,
    queries: list[BenchQuery],
    warmup: int,
    page_size: int,
    timed: int | None = None,
    budget: float | None = None,
) -> dict:
    """Each class's queries after the warm-up timed one by one: the first ``timed`` only,
    if given, and with ``budget`` (seconds) a class stops once it has spent that long (a
    bare engine can take seconds a query: its n says how many ran)."""
    run, by_class = warmed_up(mode, queries, warmup, page_size)
    classes = {}
    for kind, batch in by_class.items():
        batch = batch[:timed] if timed is not None else batch
        figures = {"ms": [], "totals": [], "shown": [], "suggested": 0, "errors": 0, "error": ""}
        spent = 0.0
        for query in batch:
            if budget is not None and spent > budget:
                break
            try:
                started = time.perf_counter()
                outcome = run(query)
                elapsed = time.perf_counter() - started
            except Exception as error:  # a failed query is counted and named, not fatal
                figures["errors"] += 1
                figures["error"] = figures["error"] or f"{query.q}: {error}"
                continue
            spent += elapsed
            total, shown, suggested = page_figures(outcome) if mode == "page" else outcome
            figures["ms"].append(elapsed * 1000)
            figures["totals"].append(total)
            figures["shown"].append(shown)
            figures["suggested"] += bool(suggested)
        classes[kind] = figures
    return classes


def profile(
    mode: str,
    queries: list[BenchQuery],
    kind: str,
    warmup: int,
    page_size: int,
    out: Path,
    warm: bool = False,
) -> None:
    """Profile one class's queries; ``warm`` asks each once before, as a worker that has
    served them before would hold their postings and labels."""
    from pyinstrument import Profiler

    run, by_class = warmed_up(mode, queries, warmup, page_size)
    if kind not in by_class:
        raise SystemExit(f"No {kind!r} queries to profile; the classes are {list(CLASSES)}.")
    if warm:
        for query in by_class[kind]:
            run(query)
    profiler = Profiler(interval=0.0005)
    with profiler:
        for query in by_class[kind]:
            run(query)
    out.write_text(profiler.output_text(unicode=True, show_all=False, short_mode=False))
    out.with_suffix(".html").write_text(profiler.output_html())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["bare", "api", "page"])
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--timed", type=int, help="time only the first N of each class")
    parser.add_argument("--page-size", type=int, default=10)
    parser.add_argument("--profile", metavar="CLASS", help="profile this class, time nothing")
    parser.add_argument("--budget", type=float, help="seconds of timed queries per class")
    parser.add_argument("--warm", action="store_true", help="profile queries asked before")
    args = parser.parse_args()
    django.setup()
    queries = [BenchQuery(**item) for item in json.loads(args.queries.read_text())]
    if args.profile:
        profile(args.mode, queries, args.profile, args.warmup, args.page_size, args.out, args.warm)
        return
    classes = measure(args.mode, queries, args.warmup, args.page_size, args.timed, args.budget)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    args.out.write_text(
        json.dumps({"mode": args.mode, "classes": classes, "peak_mib": peak} | resident_mib())
    )


if __name__ == "__main__":
    main()
