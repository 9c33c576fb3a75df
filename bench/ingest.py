"""Ingest throughput, end to end, beside the bare search engine on the same corpus.

    python bench/ingest.py --articles 10000 [--database sqlite|postgres] [--formats jsonl,html]

For each run: generate the corpus (bench/corpus.py, deterministic), start from an empty
archive (migrated, gazetteer loaded), time `manage.py ingest` in a child process and read
its peak memory, then time bare Whoosh indexing the same articles with the same schema.
Prints a table; --record appends it to bench/RESULTS.md with the date, commit and command.
"""

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import write  # noqa: E402

PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"
# The PostgreSQL database a run ingests into: made afresh for each format, dropped at the end.
PG_DATABASE = f"bench_{os.getpid()}"


# Run in the command's own process: at its exit, its peak resident memory and that of its
# largest child (KiB), then the CPU seconds (user and system) of the process, its threads
# included, and of its children that ended (the ingest's reader process, Whoosh's writers).
PEAK_WRAPPER = """
import atexit, resource, runpy, sys
report = sys.argv.pop(1)
usage = resource.getrusage
cpu = lambda who: usage(who).ru_utime + usage(who).ru_stime
atexit.register(lambda: open(report, "w").write(
    f"{usage(resource.RUSAGE_SELF).ru_maxrss} {usage(resource.RUSAGE_CHILDREN).ru_maxrss} "
    f"{cpu(resource.RUSAGE_SELF)} {cpu(resource.RUSAGE_CHILDREN)}"))
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(child) for child in (task / "children").read_text().split()]
        except OSError:  # the thread or the process ended meanwhile
            continue
        for child in children:
            found += [child, *_descendants(child)]
    return found


def _own_mib(pid: int) -> float:
    """A process's own memory (RssAnon), without the index files it maps (RssFile): those
    pages are the page cache's, shared and dropped when memory is wanted, and ru_maxrss
    counts them."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cpu_seconds(pid: int) -> float | None:
    """A process's CPU time so far (user and system), or None once it has ended."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime


def _server_processes(database: str) -> list[int]:
    """The PostgreSQL server processes serving connections to ``database``: their titles
    read "postgres: [CLUSTER: ]USER DATABASE HOST(PORT) STATE"."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            title = cmdline.read_bytes().decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and database in title.split():
            found.append(int(cmdline.parent.name))
    return found


class ProcessSampler:
    """Samples a command's process and the processes it starts every 0.2 s, keeping the
    peak own memory of the command and of its largest process (``command``, ``child``, in
    MiB); and, given the database's name, the CPU time of the PostgreSQL server processes
    serving it (each one's last sample: the little it spends in its last 0.2 s before
    disconnecting is not seen)."""

    def __init__(self, pid: int, database: str = "") -> None:
        self.pid, self.command, self.child = pid, 0.0, 0.0
        self.database = database
        self._server_cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    @property
    def server_cpu(self) -> float:
        return sum(self._server_cpu.values())

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self.command = max(self.command, _own_mib(self.pid))
            for child in _descendants(self.pid):
                self.child = max(self.child, _own_mib(child))
            for server in _server_processes(self.database) if self.database else []:
                seconds = _cpu_seconds(server)
                if seconds is not None:
                    self._server_cpu[server] = seconds

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@dataclass(frozen=True)
class Run:
    """One command measured: wall seconds; peak resident memory (MiB) of its process and of
    the largest process it started; the same two peaks of own memory only (sampled, see
    ProcessSampler); CPU seconds of its process, of the processes it started, and of the
    database server serving it (PostgreSQL; 0 on SQLite)."""

    seconds: float
    peak: int
    child_peak: int
    own_peak: int
    child_own_peak: int
    cpu: float
    children_cpu: float
    server_cpu: float


def run(command: list[str], env: dict[str, str], work: Path, database: str = "") -> Run:
    """One command, measured in its own process (RUSAGE_CHILDREN here would report the
    largest child so far, e.g. load_regions'); ``database``: the PostgreSQL database whose
    server processes' CPU time to sample."""
    report = work / "peak.txt"
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", PEAK_WRAPPER, str(report), *command[1:]],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    sampled = ProcessSampler(process.pid, database)
    try:
        returncode = process.wait()
    finally:
        sampled.stop()
    if returncode:
        raise subprocess.CalledProcessError(returncode, command)
    seconds = time.perf_counter() - started
    peak, child_peak, cpu, children_cpu = report.read_text().split()
    return Run(
        seconds,
        int(peak) // 1024,
        int(child_peak) // 1024,
        round(sampled.command),
        round(sampled.child),
        float(cpu),
        float(children_cpu),
        sampled.server_cpu,
    )


def environment(database: str, work: Path, backend: str) -> dict[str, str]:
    env = {
        **os.environ,
        # As a site runs it: with DEBUG on, Django's query log holds each batch's SQL.
        "DEBUG": "false",
        "SECRET_KEY": "dateline-bench-only-not-secret",
        "SEARCH_BACKEND": backend,
        "SEARCH_INDEX_DIR": str(work / "index"),
        "INGEST_REJECTED_DIR": str(work / "rejected"),
        "GAZETTEER_CACHE_DIR": str(work / "cache"),
    }
    if database == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{work / 'archive.sqlite3'}"
    else:
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", PG_DATABASE], check=True
        )
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", PG_DATABASE], check=True)
        env["DATABASE_URL"] = PG_URL.format(name=PG_DATABASE)
    return env


def manage(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


def bare_whoosh(corpus: Path, work: Path, analysis: str = "stock_analyzer()") -> float:
    """Articles per second for Whoosh alone (two-process multi-segment writer, the faster
    way on two cores): the backend's schema, its words analysed by Whoosh's own chain of
    components (stock_analyzer), not by the backend's WordAnalyzer, which gives the same
    words in less time."""
    script = f"""
import json, os, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DEBUG", "true")
import django; django.setup()
from datetime import datetime
from whoosh import index
from search.backends.whoosh import make_schema
from search.backends.whoosh_analysis import stock_analyzer
from search.backends.whoosh import analyzer
ix = index.create_in({str(work / "bare")!r}, make_schema({analysis}))
started = time.perf_counter()
writer = ix.writer(procs=2, multisegment=True, limitmb=128)
count = 0
with open({str(corpus)!r}) as lines:
    for number, line in enumerate(lines):
        item = json.loads(line)
        writer.add_document(id=str(number), title=item["title"], body=item["body"],
            tags_text=" ".join(item["tags"]), outlet=item["outlet"], tag=",".join(item["tags"]),
            language="en", year=item["published"][:4],
            published=datetime.fromisoformat(item["published"]).replace(tzinfo=None))
        count += 1
writer.commit()
print(count / (time.perf_counter() - started))
"""
    shutil.rmtree(work / "bare", ignore_errors=True)
    (work / "bare").mkdir()
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--formats", default="jsonl")
    parser.add_argument(
        "--backend",
        choices=["whoosh", "tantivy", "postgres"],
        help="The search backend (default: whoosh on SQLite, postgres on PostgreSQL).",
    )
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument(
        "--no-bare",
        action="store_true",
        help="Skip bare Whoosh (a 100,000-article memory run need not wait for it).",
    )
    parser.add_argument("--record", action="store_true", help="Append to bench/RESULTS.md.")
    args = parser.parse_args()

    backend = args.backend or ("whoosh" if args.database == "sqlite" else "postgres")
    load_before = Path("/proc/loadavg").read_text().split()[0]
    rows = []
    with tempfile.TemporaryDirectory(prefix="dateline-bench-") as tmp:
        work = Path(tmp)
        for fmt in args.formats.split(","):
            corpus = write(args.articles, fmt, work / f"corpus.{fmt}")
            env = environment(args.database, work, backend)
            subprocess.run(manage("migrate", "-v0"), env=env, cwd=ROOT, check=True)
            subprocess.run(
                manage("load_regions"), env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
            )
            database = PG_DATABASE if args.database == "postgres" else ""
            ingest = manage("ingest", str(corpus), "--batch-size", str(args.batch_size))
            rows.append((fmt, args.database, backend, run(ingest, env, work, database)))
            shutil.rmtree(work / "index", ignore_errors=True)
            if (work / "archive.sqlite3").exists():
                (work / "archive.sqlite3").unlink()
        bare = bare_words = None
        if not args.no_bare:
            bare_corpus = write(args.articles, "jsonl", work / "bare.jsonl")
            bare = bare_whoosh(bare_corpus, work)
            # For the record: Whoosh with the backend's own analysis (whoosh_analysis.py).
            bare_words = bare_whoosh(bare_corpus, work, "analyzer()")
        if args.database == "postgres":
            subprocess.run(
                ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", PG_DATABASE]
            )

    lines = [
        f"articles: {args.articles}; bare Whoosh (procs=2, multisegment), Whoosh's own analysis: "
        + (f"{bare:.0f} articles/s" if bare else "not run")
        + (f"; with the backend's WordAnalyzer: {bare_words:.0f}/s" if bare_words else ""),
        "",
        "| format | database | backend | articles/s end to end | vs bare Whoosh | peak MiB "
        "| largest child process, peak MiB | own memory, peak MiB | largest child's own, "
        "peak MiB | CPU ms an article: ingest process / its child processes / "
        "database server |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for fmt, database, name, measured in rows:
        rate = args.articles / measured.seconds
        memory = (measured.peak, measured.child_peak, measured.own_peak, measured.child_own_peak)
        cpu = (measured.cpu, measured.children_cpu, measured.server_cpu)
        lines.append(
            f"| {fmt} | {database} | {name} | {rate:.0f} | "
            f"{f'{rate / bare:.0%}' if bare else '–'} | "
            + " | ".join(map(str, memory))
            + " | "
            + " / ".join(f"{seconds * 1000 / args.articles:.2f}" for seconds in cpu)
            + " |"
        )
    lines += [
        "",
        "Peak MiB: the kernel's peak resident set (ru_maxrss), which counts the index files a "
        "process maps; own memory: RssAnon sampled every 0.2 s, without them. CPU: user and "
        "system time of the ingest's process (its threads, tantivy's included), of the "
        "processes it started (the reader process, Whoosh's writers) and of the PostgreSQL "
        "server processes serving it (sampled every 0.2 s; 0 on SQLite), start-up included, "
        "divided by the articles; on 2 cores, the sum bounds the rate at 2,000 / sum "
        "articles/s.",
    ]
    table = "\n".join(lines)
    print(table)
    if args.record:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        with (ROOT / "bench" / "RESULTS.md").open("a") as results:
            results.write(
                f"\n## Ingest, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit}\n\n"
                f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
                f"{platform.python_version()}.\nCommand: `python bench/ingest.py "
                f"{' '.join(sys.argv[1:])}`\nLoad average before the run: {load_before}\n\n"
                f"{table}\n"
            )


if __name__ == "__main__":
    main()
