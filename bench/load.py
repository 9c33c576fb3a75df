"""Dateline under load: gunicorn with the production settings, locust readers and commenters,
and an ingest running beside them, for a fixed time.

    python bench/load.py [--database sqlite|postgres] [--articles 20000] [--seconds 60]
                         [--workers 2] [--users N] [--mix full|search] [--record]

1. Builds an archive of --articles articles from the deterministic corpus (bench/corpus.py):
   migrate, load_regions, ingest and collectstatic with the production settings, on SQLite
   with the Whoosh index, or on a scratch PostgreSQL database (``bench_load_<pid>``, dropped
   at the end) with the PostgreSQL search backend.
2. Serves it with gunicorn (--workers sync workers) on 127.0.0.1 (bench/server.py).
3. Runs locust headless (bench/locustfile.py) for --seconds. ``--mix full``: readers
   searching and browsing, API clients, and commenters posting through the article page's
   form, while ``manage.py ingest`` adds the next slice of the corpus in a child process,
   chunk after chunk, until the time is up. ``--mix search``: search pages only, no think
   time, no ingest (issue 9's HTTP figure: search pages per second and their p95).
4. Checks: no 5xx (in locust's answers and in gunicorn's access log) and no request left
   unanswered; every comment the server accepted is in the database, by the unique token in
   its body; the index holds every article (after the ingest, if any). Prints requests/s and
   p50/p95/p99 per kind of request; --record appends them to bench/RESULTS.md. Exits non-zero
   when a check fails.
"""

import argparse
import csv
import json
import math
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_archive import build_archive, shell  # noqa: E402
from bench.server import (  # noqa: E402
    PG_SERVER,
    Gunicorn,
    collect_static,
    get,
    manage,
    production_environment,
    step,
)

MIXES = {"full": ["Searcher", "Browser", "ApiClient", "Commenter"], "search": ["Searcher"]}
# Rows summing up the kinds of request (the locustfile names each "group: kind").
GROUPS = {
    "all search pages": re.compile(r"^search: "),
    "all browsing pages": re.compile(r"^(browse: |article$)"),
    "all API requests": re.compile(r"^api: "),
    "all comment requests": re.compile(r"^comment: "),
    "all requests": re.compile(""),
}


# The ingest beside the load


@dataclass
class IngestDuringLoad:
    """Ingests the incoming chunks, one `manage.py ingest` after another, until stopped."""

    env: dict[str, str]
    chunks: list[Path]
    work: Path
    runs: list[dict] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        self.thread = threading.Thread(target=self._ingest, daemon=True)
        self.thread.start()

    def _ingest(self) -> None:
        for number, chunk in enumerate(self.chunks):
            if self.stop.is_set():
                return
            log = self.work / f"ingest-during-load-{number:03d}.log"
            started = time.monotonic()
            with log.open("w") as output:
                code = subprocess.run(
                    manage("ingest", str(chunk)),
                    env=self.env,
                    cwd=ROOT,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                ).returncode
            last_line = (log.read_text().strip().splitlines() or [""])[-1]
            self.runs.append(
                {
                    "chunk": chunk.name,
                    "started": started,
                    "ended": time.monotonic(),
                    "code": code,
                    "summary": last_line,
                    "log": str(log),
                }
            )

    def finish(self) -> None:
        self.stop.set()
        self.thread.join()

    def busy_seconds(self, start: float, end: float) -> float:
        return sum(
            max(0.0, min(job["ended"], end) - max(job["started"], start)) for job in self.runs
        )


# The load


def run_locust(args: argparse.Namespace, port: int, targets: Path, work: Path) -> tuple:
    """locust headless for --seconds; its per-request stats and the locustfile's report."""
    report = work / "locust-report.json"
    env = {
        **os.environ,
        "LOAD_TARGETS": str(targets),
        "LOAD_REPORT": str(report),
        "LOAD_RUN": args.run,
        "LOAD_THINK": str(args.think),
        "LOAD_COMMENTERS": str(args.commenters),
    }
    command = [
        *(sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py")),
        *("--headless", "--host", f"http://127.0.0.1:{port}"),
        *("--users", str(args.users), "--spawn-rate", str(args.users)),
        *("--run-time", f"{args.seconds}s"),
        # Users finish the task in hand, so a comment posted is answered before we count.
        *("--stop-timeout", "60"),
        *("--csv", str(work / "locust"), "--only-summary", "--loglevel", "WARNING"),
        *MIXES[args.mix],
    ]
    log = work / "locust.log"
    with log.open("w") as output:
        subprocess.run(command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    if not report.exists():
        raise SystemExit(f"locust wrote no report:\n{log.read_text()[-3000:]}")
    with (work / "locust_stats.csv").open() as stats:
        failures = {row["Name"]: int(row["Failure Count"]) for row in csv.DictReader(stats)}
    return json.loads(report.read_text()), failures


def warm_up(port: int, targets: dict, workers: int) -> None:
    """A few pages per worker first: each opens its searcher and fills its caches once."""
    word, article = targets["common_words"][0], quote(targets["articles"][0])
    for _ in range(workers * 2):
        for path in ["/", f"/search/?q={word}", f"/articles/{article}/"]:
            get(port, path)


# The figures


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least ``fraction`` of them at or below it."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else 0.0


def latency_table(report: dict, failures: dict[str, int], server: dict) -> list[dict]:
    """One row per kind of request, then the groups: the client's times (queueing in the
    server's listen backlog included), and the server's own (gunicorn's access log)."""
    seconds = max(report["seconds"], 1e-9)
    names = sorted(report["times"])
    kinds = [(name, re.compile(f"^{re.escape(name)}$")) for name in names]
    rows = []
    for name, pattern in kinds + [(group, pattern) for group, pattern in GROUPS.items()]:
        mine = [kind for kind in names if pattern.match(kind)]
        client = sorted(ms for kind in mine for ms in report["times"][kind])
        served = sorted(ms for kind in mine for ms in server.get(kind, []))
        if not client:
            continue
        rows.append(
            {
                "request": name,
                "count": len(client),
                "per_second": len(client) / seconds,
                "p50": percentile(client, 0.50),
                "p95": percentile(client, 0.95),
                "p99": percentile(client, 0.99),
                "max": client[-1],
                "server_p50": percentile(served, 0.50),
                "server_p95": percentile(served, 0.95),
                "failures": sum(failures.get(kind, 0) for kind in mine),
            }
        )
    return rows


def format_table(rows: list[dict]) -> str:
    lines = [
        "| request | count | per s | p50 ms | p95 ms | p99 ms | max ms | in server p50 / p95 ms "
        "| failures |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        name = f"**{row['request']}**" if row["request"] in GROUPS else row["request"]
        lines.append(
            f"| {name} | {row['count']} | {row['per_second']:.1f} | {row['p50']:.0f} | "
            f"{row['p95']:.0f} | {row['p99']:.0f} | {row['max']:.0f} | "
            f"{row['server_p50']:.0f} / {row['server_p95']:.0f} | {row['failures']} |"
        )
    return "\n".join(lines)


def check(args, env, work, report, ingest, window, server) -> dict:
    """What must hold after the load (``failures``) and what to say about it (``notes``)."""
    failures: list[str] = []
    notes: list[str] = []
    facts: dict = {"failures": failures, "notes": notes}

    facts["server_errors"] = report["server_error_count"]
    logged_5xx = server.server_errors()
    notes.append(
        f"5xx: {facts['server_errors']} answered to locust, {len(logged_5xx)} in gunicorn's "
        "access log"
    )
    if facts["server_errors"] or logged_5xx:
        failures.append(f"{max(facts['server_errors'], len(logged_5xx))} 5xx answers")
    facts["unanswered"] = {
        f"{name}: {status}": count
        for name, counts in report["statuses"].items()
        for status, count in counts.items()
        if status.startswith("no answer")
    }
    if facts["unanswered"]:
        failures.append(f"requests with no answer: {facts['unanswered']}")
    if report["unexpected_count"]:
        failures.append(f"unexpected answers: {report['unexpected'][:10]}")
    problems = server.logged_problems()
    if problems:
        failures.append(f"gunicorn's log names problems: {problems[:5]}")

    after = json.loads(shell(env, f"print_after_load({args.run!r})", work))
    if args.mix == "full":
        accepted = report["comments_accepted"]
        stored = after["comments"]
        unanswered = report["comments_unanswered"]
        facts.update(comments_accepted=len(accepted), comments_stored=len(stored))
        notes.append(
            f"comments: {len(accepted)} accepted by the server, {len(stored)} of them in the "
            f"database; refused {report['comments_refused'] or 0}; unanswered {len(unanswered)}"
        )
        lost = sorted(set(accepted) - set(stored))
        extra = sorted(set(stored) - set(accepted) - set(unanswered))
        if lost or extra or len(stored) != len(set(stored)):
            failures.append(
                f"comments lost: {lost[:10]}; stored but never accepted: {extra[:10]}; "
                f"{len(stored)} rows for {len(set(stored))} comments"
            )
        if not accepted:
            failures.append("no comment was accepted")
        if report["comments_refused"]:
            failures.append(f"comments refused: {report['comments_refused']}")

    if ingest:
        start, end = window
        busy = ingest.busy_seconds(start, end)
        articles = sum(
            int(match.group(1))
            for job in ingest.runs
            for match in [re.match(r"(\d+) new", job["summary"])]
            if match
        )
        facts["ingested_during_load"] = articles
        notes.append(
            f"ingest during the load: {len(ingest.runs)} × `manage.py ingest` of up to "
            f"{args.ingest_chunk} articles, {articles} new in all, busy {busy:.0f} s of the "
            f"{end - start:.0f} s"
        )
        for job in ingest.runs:
            if job["code"] != 0:
                failures.append(
                    f"ingest of {job['chunk']} exited {job['code']}: "
                    f"{Path(job['log']).read_text()[-1500:]}"
                )
        if busy < 0.9 * (end - start):
            notes.append("the ingest was not busy the whole time: give it more articles")
    # Every mix: what the served archive held (--from-archive's is not built here).
    index = {key: after[key] for key in ("articles", "documents", "pending")}
    facts["index"] = index
    notes.append(
        f"index after the load: {index['articles']} articles, {index['documents']} documents"
    )
    if index["articles"] != index["documents"] or index["pending"]:
        failures.append(f"the index and the database disagree: {index}")
    return facts


# The record


def load_average() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def record(args: argparse.Namespace, facts: dict, text: str) -> None:
    engine = "SQLite + Whoosh" if args.database == "sqlite" else "PostgreSQL + postgres search"
    changed = git("status", "--porcelain", "-uno", "--", ".", ":!bench/RESULTS.md")
    dirty = " (uncommitted changes)" if changed else ""
    with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as results:
        results.write(
            f"\n## Load, {args.mix} mix, {engine}: "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {git('rev-parse', '--short', 'HEAD')}"
            f"{dirty}\n\n"
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}. Load average "
            f"(1 / 5 / 15 min) before the load {facts['load_before']}, after "
            f"{facts['load_after']}: the machine was shared with other sessions' test runs, "
            "so these are figures under contention, not a quiet machine's.\n"
            f"Command: `python bench/load.py {' '.join(sys.argv[1:])}`\n\n{text}\n"
        )


def describe(args: argparse.Namespace, timings: dict, facts: dict) -> str:
    groups = {row["request"]: row for row in facts["table"]}
    search = groups.get("all search pages")
    built = (
        f"built by bench/search.py in {args.from_archive}"
        if args.from_archive
        else f"{timings['ingest']:.0f} s to ingest them"
    )
    lines = [
        f"archive: {args.articles} articles ({built}); gunicorn "
        f"{args.workers} sync workers, production settings; locust {args.users} users "
        f"({args.commenters} commenters), think time 0–{args.think:g} s, {args.seconds} s",
        f"throughput: {groups['all requests']['per_second']:.1f} requests/s",
    ]
    if search:
        lines.append(
            f"search pages: {search['per_second']:.1f}/s, p95 {search['p95']:.0f} ms, "
            f"p99 {search['p99']:.0f} ms"
        )
    return "\n".join(
        [format_table(facts["table"]), ""] + [f"- {line}" for line in lines + facts["notes"]]
    )


# Main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--postgres", default=PG_SERVER, help=f"The PostgreSQL server (default {PG_SERVER})."
    )
    parser.add_argument("--articles", type=int, default=20_000, help="Archive size.")
    parser.add_argument("--seconds", type=int, default=60, help="How long the load runs.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers.")
    parser.add_argument("--mix", choices=sorted(MIXES), default="full")
    parser.add_argument("--users", type=int, help="Default: 16 (full mix), 3 per worker (search).")
    parser.add_argument("--commenters", type=int, default=4, help="Of the users (full mix).")
    parser.add_argument(
        "--think", type=float, help="Most seconds between a reader's pages (full: 1, search: 0)."
    )
    parser.add_argument(
        "--ingest-articles",
        type=int,
        help="The corpus's next articles, ingested during the load (full mix; default a fifth "
        "of --articles), in runs of --ingest-chunk.",
    )
    parser.add_argument("--ingest-chunk", type=int, default=500)
    parser.add_argument(
        "--countries", default="", help="Load only these countries' regions (e.g. US,FR,IN)."
    )
    parser.add_argument(
        "--archive-cache",
        type=Path,
        help="Keep each archive built here (e.g. var/bench/load-archives) and reuse it when "
        "the same options and the same committed code ask for it again.",
    )
    parser.add_argument(
        "--static-cache",
        type=Path,
        help="Keep collectstatic's output here (e.g. var/bench/static) and reuse it while the "
        "static files and the packages that process them are the same.",
    )
    parser.add_argument(
        "--from-archive",
        type=Path,
        help="Serve a SQLite + Whoosh archive that bench/search.py kept (--reuse DIR) with the "
        "same --articles, instead of building one (search mix: nothing is ingested).",
    )
    parser.add_argument("--keep", action="store_true", help="Keep the work directory.")
    parser.add_argument("--json", type=Path, help="Also write the figures and checks as JSON.")
    parser.add_argument("--record", action="store_true", help="Append to bench/RESULTS.md.")
    args = parser.parse_args(argv)
    full = args.mix == "full"
    if args.from_archive and (full or args.database != "sqlite"):
        parser.error("--from-archive serves a SQLite + Whoosh archive to the search mix only")
    if args.users is None:
        args.users = 16 if full else 3 * args.workers
    if args.think is None:
        args.think = 1.0 if full else 0.0
    args.commenters = min(args.commenters, args.users - 1) if full else 0
    if args.ingest_articles is None:
        args.ingest_articles = max(100, args.articles // 5) if full else 0
    args.region_args = [
        part for code in args.countries.split(",") if code for part in ("--country", code)
    ]
    args.run = f"{os.getpid()}x{secrets.token_hex(3)}"
    args.pg_name = f"bench_load_{os.getpid()}"
    return args


def postgres(args: argparse.Namespace, *command: str) -> None:
    subprocess.run([*command, "--maintenance-db", f"{args.postgres}/postgres", args.pg_name])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="dateline-load-"))
    if args.database == "sqlite":
        database, backend = f"sqlite:///{work / 'archive.sqlite3'}", "whoosh"
    else:
        database, backend = f"{args.postgres}/{args.pg_name}", "postgres"
        postgres(args, "dropdb", "--if-exists")
        postgres(args, "createdb")
    env = production_environment(work, database, backend)
    server = ingest = None
    try:
        # The static files, as the README's deployment collects them, while the archive builds.
        collect = collect_static(env, work, args.static_cache)
        archive = build_archive(args, env, work)
        if collect.wait():
            raise SystemExit(f"collectstatic failed: see {work / 'collectstatic.log'}")
        targets, timings = archive.targets, archive.timings
        (work / "targets.json").write_text(json.dumps(targets))

        step(f"gunicorn, {args.workers} workers…")
        server = Gunicorn(env, args.workers, work)
        server.wait_until_ready()
        warm_up(server.port, targets, args.workers)

        load_before = load_average()
        if archive.incoming:
            ingest = IngestDuringLoad(env, [Path(chunk) for chunk in archive.incoming], work)
            ingest.start()
        step(f"locust: {args.users} users, {args.mix} mix, {args.seconds} s…")
        started = time.monotonic()
        report, failed = run_locust(args, server.port, work / "targets.json", work)
        window = (started, time.monotonic())
        load_after = load_average()
        if ingest:
            step("waiting for the ingest in progress to finish…")
            ingest.finish()
        server.stop()

        facts = check(args, env, work, report, ingest, window, server)
        facts.update(
            table=latency_table(report, failed, server.server_times()),
            load_before=load_before,
            load_after=load_after,
        )
        text = describe(args, timings, facts)
        print(text)
        for problem in facts["failures"]:
            print(f"FAILED: {problem}", file=sys.stderr)
        for error in report["server_errors"][:20]:
            print(f"5xx: {json.dumps(error)[:1000]}", file=sys.stderr)
        if args.json:
            args.json.write_text(json.dumps(facts, indent=1))
        if args.record:
            record(args, facts, text)
        return 1 if facts["failures"] else 0
    finally:
        if ingest and not ingest.stop.is_set():
            ingest.finish()
        if server:
            server.stop()
        if args.database == "postgres":
            postgres(args, "dropdb", "--if-exists", "--force")
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
