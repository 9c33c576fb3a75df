"""Search latency at archive scale: the backend API and the /search/ page beside the bare engine.

    python bench/search.py --articles 20000 [--database sqlite|postgres]
        [--backend whoosh|postgres|tantivy] [--queries 200] [--warmup 20] [--page-size 10]
        [--reuse DIR] [--record] [--label smoke] [--bare-budget SECONDS] [--bulk-build]

Builds an archive of N articles from the deterministic corpus (bench/corpus.py): migrate,
load_regions, `manage.py ingest` of the JSON Lines corpus with index writes left out, then
`manage.py rebuild_index`, timed with its peak memory. Measures the index's size against
the raw text. Then asks every query class (bench/search_queries.py) three ways, each in a
process of its own (bench/search_measure.py): the bare engine, the backend API, the
/search/ page with DEBUG off. Prints a table of p50/p95/p99 per class; --record appends it
to bench/RESULTS.md with the date, commit, machine, load and the command.

--bulk-build (PostgreSQL only) loads the same corpus with COPY instead (bench/bulk_build.py:
the ingest's own code makes the rows, which COPY writes; a benchmark shortcut, checked to give
the rows the ingest and rebuild_index give), for archives of 100,000 and more, which the
ingest takes hours over. The build runs under `nice`. Its time is reported, not compared.

--repeat N measures N times over (same queries, same archive) and gives each percentile as
the median of the N runs' own: the issue's targets are quoted as medians of repeated runs.

--bare-queries N times only the first N queries of each class with the bare engine, whose
count of every match takes seconds for a common word at 1,000,000 articles.

--profile CLASS [--profile-mode page|api|bare] [--profile-warm] times nothing: it runs that
class's queries under pyinstrument and writes the report to var/bench-profiles/ (best with
--reuse); --profile-warm asks them once first, for a worker's steady state.

--build-only (with --reuse DIR) builds the archive and measures nothing: build a big one
once, niced, then measure it as often as needed.

--reuse DIR keeps the archive (corpus, database, index) in DIR and uses it again on the
next run with the same --articles/--database/--backend; without it everything, the
PostgreSQL database included, is removed at the end. A kept PostgreSQL archive's database
is dropped by --drop-reused (with --reuse DIR), so big databases do not linger.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import write  # noqa: E402
from bench.ingest import PEAK_WRAPPER, manage, run  # noqa: E402
from bench.search_queries import CLASSES, make_queries, sample_articles  # noqa: E402

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
MANIFEST = "archive.json"
MODES = ("bare", "api", "page")
PROFILES = ROOT / "var" / "bench-profiles"
SEED = 2017


# The archive


def database_url(manifest: dict, work: Path) -> str:
    if manifest["database"] == "sqlite":
        return f"sqlite:///{work / 'archive.sqlite3'}"
    return f"{PG_SERVER}/{manifest['database_name']}"


def environment(manifest: dict, work: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "false",
        "SECRET_KEY": "dateline-bench-only-not-secret",
        "DATABASE_URL": database_url(manifest, work),
        "SEARCH_BACKEND": manifest["backend"],
        "SEARCH_INDEX_DIR": str(work / "index"),
        "INGEST_REJECTED_DIR": str(work / "rejected"),
        "GAZETTEER_CACHE_DIR": str(work / "cache"),
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def pg(program: str, *arguments: str) -> None:
    subprocess.run([program, "-h", "127.0.0.1", "-U", "postgres", *arguments], check=True)


def drop_database(manifest: dict) -> None:
    if manifest["database"] == "postgres":
        pg("dropdb", "--if-exists", "--force", manifest["database_name"])


def prepare_archive(args: argparse.Namespace, work: Path) -> dict:
    """The archive's manifest: read from a reused DIR that matches, or built now."""
    wanted = {
        "articles": args.articles,
        "database": args.database,
        "backend": args.backend,
        "seed": SEED,
        "bulk_build": args.bulk_build,
    }
    path = work / MANIFEST
    if path.exists():
        manifest = json.loads(path.read_text())
        manifest.setdefault("bulk_build", False)
        if {key: manifest.get(key) for key in wanted} != wanted:
            raise SystemExit(f"{work} holds another archive ({manifest}); use another DIR.")
        if manifest.get("built"):
            print(f"Reusing the archive in {work} (built {manifest['built']}).", file=sys.stderr)
            return manifest
        # A build that did not finish: start again.
        drop_database(manifest)
        for leftover in work.iterdir():
            if leftover.is_dir():
                shutil.rmtree(leftover)
            else:
                leftover.unlink()
    # The directory in the name too: two archives built by one process (a test) differ.
    suffix = f"{os.getpid()}_{zlib.crc32(str(work).encode()) % 10_000}"
    manifest = wanted | {"database_name": f"bench_search_{args.articles}_{suffix}"}
    if args.corpus_from:
        manifest["corpus_from"] = str(same_corpus(args.corpus_from, wanted))
    # Written first, so that whoever cleans up after a failed build knows the database.
    path.write_text(json.dumps(manifest, indent=1))
    build_archive(manifest, work)
    manifest["built"] = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    path.write_text(json.dumps(manifest, indent=1))
    return manifest


def same_corpus(other: Path, wanted: dict) -> Path:
    """The corpus of another archive built for as many articles with the same seed: the
    generator gives the same articles, without the quarter of an hour 1,000,000 take."""
    manifest = json.loads((other / MANIFEST).read_text())
    if (manifest.get("articles"), manifest.get("seed")) != (wanted["articles"], wanted["seed"]):
        raise SystemExit(f"{other} holds a corpus of other articles ({manifest}).")
    if not manifest.get("built"):
        raise SystemExit(f"{other} holds an archive that was not finished: its corpus may not be.")
    return other / "corpus.jsonl"


def build_archive(manifest: dict, work: Path) -> None:
    print(f"Building an archive of {manifest['articles']} articles in {work}", file=sys.stderr)
    corpus = work / "corpus.jsonl"
    if manifest.get("corpus_from"):
        os.link(manifest["corpus_from"], corpus)  # a second name, not a copy of gigabytes
    else:
        write(manifest["articles"], "jsonl", corpus, manifest["seed"])
    manifest["raw_text_bytes"] = raw_text_bytes(corpus)
    if manifest["database"] == "postgres":
        pg("createdb", manifest["database_name"])
    # Articles go in without touching the index (their outbox rows are then dropped):
    # rebuild_index builds it once, and is what we time.
    env = environment(manifest, work, SEARCH_SYNC_ON_COMMIT="false")
    subprocess.run(manage("migrate", "-v0"), env=env, cwd=ROOT, check=True)
    subprocess.run(manage("load_regions"), env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    if manifest["bulk_build"]:
        bulk_load(manifest, work, corpus, env)
        manifest["sizes"] = index_sizes(manifest, work)
        return
    ingest = run(manage("ingest", str(corpus), "--batch-size", "500"), env, work)
    manifest["ingest"] = {
        "seconds": ingest.seconds,
        "peak_mib": ingest.peak,
        "reader_peak_mib": ingest.child_peak,
    }
    subprocess.run(
        manage(
            "shell",
            "-c",
            "from search.models import IndexOutbox; IndexOutbox.objects.all().delete()",
        ),
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    rebuild = run(manage("rebuild_index", "--batch-size", "500"), env, work)
    manifest["rebuild"] = {
        "seconds": rebuild.seconds,
        "peak_mib": rebuild.peak,
        "writers_peak_mib": rebuild.child_peak,
    }
    manifest["sizes"] = index_sizes(manifest, work)


def bulk_load(manifest: dict, work: Path, corpus: Path, env: dict[str, str]) -> None:
    """The archive's rows with COPY (bench/bulk_build.py), niced: it takes a core for long."""
    report = work / "bulk-build.json"
    script = [str(ROOT / "bench" / "bulk_build.py"), str(corpus), "--report", str(report)]
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", PEAK_WRAPPER, str(work / "peak.txt"), *script],
        env=env,
        cwd=ROOT,
        check=True,
        preexec_fn=lambda: os.nice(10),
    )
    manifest["bulk"] = {
        "seconds": time.perf_counter() - started,
        # The wrapper writes its own peak, then its largest child's (KiB).
        "peak_mib": int((work / "peak.txt").read_text().split()[0]) // 1024,
        "steps": json.loads(report.read_text()),
    }


def raw_text_bytes(corpus: Path) -> int:
    """Titles and bodies in UTF-8: what a reader could read, against which indexes weigh."""
    total = 0
    with corpus.open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            total += len(item["title"].encode()) + len(item["body"].encode())
    return total


def index_sizes(manifest: dict, work: Path) -> dict:
    sizes = {}
    index_dir = work / "index"
    if index_dir.exists():
        sizes["index_dir"] = sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file())
    if manifest["backend"] == "postgres":
        import psycopg

        with psycopg.connect(database_url(manifest, work)) as connection:
            row = connection.execute(
                "SELECT pg_total_relation_size('search_document')"
                " + pg_total_relation_size('search_sample'),"
                " pg_indexes_size('search_document'),"
                " pg_relation_size('search_document_words_and_filters'),"
                " pg_total_relation_size('search_word')"
            ).fetchone()
        sizes |= dict(zip(("table_total", "indexes", "vector_gin", "words"), row, strict=True))
    return sizes


# Measuring


def write_queries(manifest: dict, work: Path, args: argparse.Namespace) -> Path:
    sample = sample_articles(work / "corpus.jsonl", manifest["articles"])
    queries = make_queries(sample, args.queries + args.warmup, manifest["seed"])
    path = work / "queries.json"
    path.write_text(json.dumps([query.as_dict() for batch in queries.values() for query in batch]))
    return path


def page_settings(work: Path, args: argparse.Namespace) -> dict[str, str]:
    """The /search/ page is served with the production settings, as a web worker is."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "ALLOWED_HOSTS": "testserver",
        "ARTICLES_PER_PAGE": str(args.page_size),
        "STATIC_ROOT": str(work / "static"),
    }


def collect_static(work: Path, env: dict[str, str]) -> None:
    """Production settings serve static files with a manifest that collectstatic writes
    (into page_settings' STATIC_ROOT): written once for an archive."""
    if not (work / "static" / "staticfiles.json").exists():
        collect = manage("collectstatic", "--noinput", "-v0")
        subprocess.run(collect, env=env, cwd=ROOT, check=True)


def run_mode(
    mode: str, manifest: dict, work: Path, args: argparse.Namespace, out: Path, *extra: str
) -> None:
    """One way of asking, in a process of its own (bench/search_measure.py)."""
    env = environment(manifest, work, **(page_settings(work, args) if mode == "page" else {}))
    if mode == "page":
        collect_static(work, env)
    command = [sys.executable, str(ROOT / "bench" / "search_measure.py"), mode]
    command += ["--queries", str(work / "queries.json"), "--out", str(out)]
    command += ["--warmup", str(args.warmup), "--page-size", str(args.page_size), *extra]
    subprocess.run(command, env=env, cwd=ROOT, check=True)


def measure(manifest: dict, work: Path, args: argparse.Namespace) -> dict:
    write_queries(manifest, work, args)
    outcome = {"load_before": loadavg()}
    for mode in MODES:
        print(f"Measuring: {mode}", file=sys.stderr)
        out = work / f"measure-{mode}.json"
        limits = []
        if mode == "bare" and args.bare_queries:
            limits += ["--timed", str(args.bare_queries)]
        if mode == "bare" and args.bare_budget:
            limits += ["--budget", str(args.bare_budget)]
        run_mode(mode, manifest, work, args, out, *limits)
        outcome[mode] = json.loads(out.read_text())
    outcome["load_after"] = loadavg()
    return outcome


def profile(manifest: dict, work: Path, args: argparse.Namespace) -> Path:
    write_queries(manifest, work, args)
    PROFILES.mkdir(parents=True, exist_ok=True)
    slug = args.profile.replace(" ", "-")
    out = PROFILES / (
        f"search-{manifest['backend']}-{manifest['database']}-{manifest['articles']}-"
        f"{args.profile_mode}-{slug}{'-warm' if args.profile_warm else ''}.txt"
    )
    warm = ["--warm"] if args.profile_warm else []
    run_mode(args.profile_mode, manifest, work, args, out, "--profile", args.profile, *warm)
    return out


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


# Reporting


def percentiles(values: list[float]) -> tuple[float, float, float]:
    if not values:
        return (float("nan"),) * 3
    if len(values) == 1:
        return (values[0],) * 3
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def run_percentiles(outcomes: list[dict], mode: str, kind: str) -> tuple[float, float, float]:
    """p50, p95 and p99 of a class, each the median of the runs' own (--repeat)."""
    runs = [percentiles(outcome[mode]["classes"][kind]["ms"]) for outcome in outcomes]
    return tuple(statistics.median(run[cut] for run in runs) for cut in range(3))


def table(outcomes: list[dict]) -> str:
    outcome = outcomes[0]
    head = ["class", "n", "hits (API / bare)"]
    for mode in ("bare", "API", "page"):
        head += [f"{mode} p50", f"{mode} p95", f"{mode} p99"]
    head += ["API ÷ bare p95", "page ÷ bare p95"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for kind in CLASSES:
        figures = {mode: outcome[mode]["classes"].get(kind) for mode in MODES}
        if not all(kind in run[mode]["classes"] for run in outcomes for mode in MODES):
            continue
        cells = {mode: run_percentiles(outcomes, mode, kind) for mode in MODES}
        hits = "{:,} / {:,}".format(
            *(int(statistics.median(figures[m]["totals"] or [0])) for m in ("api", "bare"))
        )
        count = str(len(figures["api"]["ms"]))
        if len(figures["bare"]["ms"]) != len(figures["api"]["ms"]):
            count += f" (bare {len(figures['bare']['ms'])})"
        if len(outcomes) > 1:
            count += f" ×{len(outcomes)}"
        row = [kind, count, hits]
        for mode in MODES:
            row += [f"{value:.2f}" if value < 1 else f"{value:.1f}" for value in cells[mode]]
        bare_p95 = cells["bare"][1]
        row += [f"{cells[mode][1] / bare_p95:.1f}×" for mode in ("api", "page")]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def checks(outcome: dict) -> list[str]:
    """What a reader of the table should know: errors, and whether misspellings got
    their suggestion in each way of asking."""
    notes = []
    for mode in MODES:
        for kind, figures in outcome[mode]["classes"].items():
            if figures["errors"]:
                notes.append(f"{mode} {kind}: {figures['errors']} errors ({figures['error']})")
    for other in ("page", "bare"):
        differing = []
        for kind in CLASSES:
            api, them = (outcome[mode]["classes"].get(kind) for mode in ("api", other))
            if api and them and not api["errors"] and not them["errors"]:
                # The bare engine may time fewer (--bare-queries, --bare-budget): the same
                # first ones.
                pairs = list(zip(api["totals"], them["totals"], strict=False))
                if mismatched := sum(a != b for a, b in pairs):
                    differing.append(f"{kind} {mismatched}/{len(pairs)}")
        if differing:
            notes.append(
                f"Totals that differ between the API and the {other} "
                + (
                    "(the same search, so a bug): "
                    if other == "page"
                    else "(the engine's own parser may read a query otherwise): "
                )
                + ", ".join(differing)
                + "."
            )
    for mode in ("api", "page"):
        # Every query asks for page 1: a total with no hit shown is a bug, not a speed-up.
        empty = {
            kind: sum(
                total > 0 and not shown
                for total, shown in zip(f["totals"], f["shown"], strict=True)
            )
            for kind, f in outcome[mode]["classes"].items()
        }
        if any(empty.values()):
            notes.append(
                f"Queries with a total but no hit ({mode}; a bug): "
                + ", ".join(f"{kind} {n}" for kind, n in empty.items() if n)
                + "."
            )
    misspelt = {mode: outcome[mode]["classes"].get("misspelling") for mode in MODES}
    if all(misspelt.values()):
        notes.append(
            "Misspellings with a suggestion: "
            + ", ".join(
                f"{mode} {misspelt[mode]['suggested']}/{len(misspelt[mode]['ms'])}"
                for mode in MODES
            )
            + "."
        )
    return notes


def summary(manifest: dict, outcomes: list[dict], args: argparse.Namespace) -> str:
    mib = 1024 * 1024
    raw = manifest["raw_text_bytes"]
    sizes = manifest["sizes"]
    if manifest["backend"] == "postgres":
        size = (
            f"search tables {(sizes['table_total'] + sizes['words']) / mib:,.0f} MiB "
            f"({(sizes['table_total'] + sizes['words']) / raw:.1f}× the raw text; "
            f"GIN of the words and filters {sizes['vector_gin'] / mib:,.0f} MiB, all indexes of "
            f"search_document {sizes['indexes'] / mib:,.0f} MiB, search_word "
            f"{sizes['words'] / mib:,.1f} MiB)"
        )
    else:
        size = (
            f"index on disk {sizes['index_dir'] / mib:,.0f} MiB "
            f"({sizes['index_dir'] / raw:.1f}× the raw text)"
        )
    page = max((outcome["page"] for outcome in outcomes), key=lambda figures: figures["peak_mib"])
    before, after = outcomes[0]["load_before"], outcomes[-1]["load_after"]
    # The measuring process keeps one core busy itself: the load it leaves (about 1 after a
    # run, and before the next) is not other work; more than 1.5 is.
    highest = max(max(outcome["load_before"][0], outcome["load_after"][0]) for outcome in outcomes)
    cores = os.cpu_count() or 1
    busy = before[0] > 0.5 or highest > 1.5
    load = (
        f"Load average (1/5/15 min) {before[0]:.2f}/{before[1]:.2f}/{before[2]:.2f} before "
        f"the measurements, {after[0]:.2f}/{after[1]:.2f}/{after[2]:.2f} after, on {cores} "
        + (
            "cores: other work (other helpers' test runs) shared the CPUs, so the figures "
            "are noisy and only good as a smoke test."
            if busy
            else "cores: the machine was quiet (the load after is the measuring process's own)."
        )
    )
    return "\n".join(
        [
            f"Archive: {manifest['articles']:,} articles on {manifest['database']}, "
            f"{manifest['backend']} backend (built {manifest['built']}); raw text (titles "
            f"and bodies) {raw / mib:,.1f} MiB; {size}.",
            build_line(manifest),
            f"Web worker (the process that served the /search/ pages): peak RSS "
            f"{page['peak_mib']:,.0f} MiB, {page['rss_mib']:,.0f} MiB at the end"
            + (
                f", of which {page['anon_mib']:,.0f} MiB its own (RssAnon) and "
                f"{page['file_mib']:,.0f} MiB mapped file pages (RssFile: the index's files, "
                "shared through the page cache)."
                if "anon_mib" in page
                else "."
            ),
            f"{args.queries} queries per class after {args.warmup} warm-up queries each"
            + (f" ({args.bare_queries} for the bare engine)" if args.bare_queries else "")
            + ", "
            f"{args.page_size} hits a page; times in milliseconds"
            + (
                f", each percentile the median of {len(outcomes)} runs' (the web worker's "
                "memory: the run with the highest peak)"
                if len(outcomes) > 1
                else ""
            )
            + ". The page always counts facets (it shows them); the API and the bare engine "
            "only in the facet class.",
            load,
        ]
    )


def build_line(manifest: dict) -> str:
    if manifest.get("bulk_build"):
        bulk = manifest["bulk"]
        steps = ", ".join(f"{step} {seconds:,.0f} s" for step, seconds in bulk["steps"].items())
        return (
            f"Built with --bulk-build (COPY, niced; not the ingest's speed) in "
            f"{bulk['seconds']:,.0f} s ({steps}), peak {bulk['peak_mib']} MiB."
        )
    rebuild, ingest = manifest["rebuild"], manifest["ingest"]
    return (
        f"ingest {ingest['seconds']:,.0f} s without index writes (peak "
        f"{ingest['peak_mib']} MiB); rebuild_index {rebuild['seconds']:,.0f} s "
        f"({manifest['articles'] / rebuild['seconds']:,.0f} articles/s), peak "
        f"{rebuild['peak_mib']} MiB."
    )


def machine(manifest: dict) -> str:
    memory = next(
        int(line.split()[1]) / 1024 / 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    text = (
        f"{platform.machine()}, {os.cpu_count()} cores, {memory:.1f} GiB RAM, "
        f"Python {platform.python_version()}"
    )
    if manifest["database"] == "postgres":
        text += f", {postgres_server()}"
    return text


# The server's settings that decide how much of a big archive it keeps in memory and how it
# plans: an entry's figures hold for them (at 1,000,000 articles, shared_buffers of 6 GB
# instead of 128 MB cut the phrase class's p95 by a quarter: bench/RESULTS.md, 2026-12-07).
SERVER_SETTINGS = ("shared_buffers", "effective_cache_size", "work_mem", "jit")


def postgres_server() -> str:
    """The PostgreSQL server's version and SERVER_SETTINGS, as an entry names them."""
    read = ", ".join(f"current_setting('{name}')" for name in ("server_version", *SERVER_SETTINGS))
    version, *values = (
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-AtF", "\t", "-c", f"SELECT {read}"],
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .split("\t")
    )
    settings = ", ".join(
        f"{name} {value}" for name, value in zip(SERVER_SETTINGS, values, strict=True)
    )
    return f"PostgreSQL {version} ({settings})"


def commit() -> str:
    """The commit measured, and whether the code differed from it (results files aside)."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    changes = subprocess.run(
        ["git", "status", "--porcelain", "--", ".", ":!bench/RESULTS.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return head + (" with uncommitted changes" if changes else "")


def record(text: str, manifest: dict, args: argparse.Namespace) -> None:
    label = f" ({args.label})" if args.label else ""
    with args.results.open("a", encoding="utf-8") as results:
        results.write(
            f"\n## Search latency{label}: {manifest['articles']:,} articles, "
            f"{manifest['backend']} on {manifest['database']}\n\n"
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}; {machine(manifest)}.\n"
            f"Command: `python bench/search.py {' '.join(sys.argv[1:])}`\n\n{text}\n"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--backend", choices=["whoosh", "postgres", "tantivy"], default="whoosh")
    parser.add_argument("--queries", type=int, default=200, help="timed queries per class")
    parser.add_argument("--warmup", type=int, default=20, help="untimed queries per class")
    parser.add_argument(
        "--bare-queries",
        type=int,
        help="time only this many per class with the bare engine (slow at 1,000,000)",
    )
    parser.add_argument("--page-size", type=int, default=10)
    parser.add_argument(
        "--bare-budget",
        type=float,
        help="seconds of timed queries per class for the bare engine (Whoosh's own facet "
        "counts take seconds a query at 100,000 articles); the table gives its n",
    )
    parser.add_argument("--reuse", type=Path, help="keep the archive in DIR, or use it again")
    parser.add_argument(
        "--drop-reused", action="store_true", help="with --reuse: remove DIR at the end"
    )
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--label", default="", help='e.g. "smoke", in the recorded heading')
    parser.add_argument(
        "--bulk-build", action="store_true", help="load the archive with COPY (PostgreSQL)"
    )
    parser.add_argument(
        "--corpus-from",
        type=Path,
        metavar="DIR",
        help="build from the corpus of the archive in DIR (same articles and seed) instead of "
        "writing it again",
    )
    parser.add_argument(
        "--build-only", action="store_true", help="with --reuse: build the archive, measure nothing"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="measure N times and give each percentile as the median of the N runs'",
    )
    parser.add_argument("--profile", metavar="CLASS", choices=list(CLASSES))
    parser.add_argument("--profile-mode", choices=MODES, default="page")
    parser.add_argument(
        "--profile-warm",
        action="store_true",
        help="ask the profiled queries once before (a worker that has served them)",
    )
    args = parser.parse_args()
    if args.backend == "postgres" and args.database != "postgres":
        parser.error("--backend postgres needs --database postgres")
    if args.bulk_build and args.database != "postgres":
        parser.error("--bulk-build needs --database postgres")
    if args.build_only and (args.reuse is None or args.drop_reused or args.record):
        parser.error("--build-only keeps what it builds: give --reuse DIR, no --record")
    if args.profile and args.record:
        parser.error("--profile times nothing: there is nothing to --record")

    keep = args.reuse is not None and not args.drop_reused
    work = args.reuse.resolve() if args.reuse else Path(tempfile.mkdtemp(prefix="bench-search-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        manifest = prepare_archive(args, work)
        if args.build_only:
            print(f"Archive ready in {work}: {manifest['database_name']}", file=sys.stderr)
            return
        if args.profile:
            print(f"Profile written to {profile(manifest, work, args)}")
            return
        outcomes = []
        for run_number in range(1, max(1, args.repeat) + 1):
            if args.repeat > 1:
                print(f"Run {run_number} of {args.repeat}", file=sys.stderr)
            outcomes.append(measure(manifest, work, args))
    finally:
        if not keep:
            if (work / MANIFEST).exists():
                drop_database(json.loads((work / MANIFEST).read_text()))
            shutil.rmtree(work, ignore_errors=True)
    text = "\n\n".join(
        [
            summary(manifest, outcomes, args),
            table(outcomes),
            # What any run found wrong, once.
            "\n".join(dict.fromkeys(note for outcome in outcomes for note in checks(outcome))),
        ]
    ).strip()
    print(text)
    print(f"({time.perf_counter() - started:,.0f} s in all)", file=sys.stderr)
    if args.record:
        record(text, manifest, args)


if __name__ == "__main__":
    main()
