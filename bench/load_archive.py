"""The archive bench/load.py serves: built from the deterministic corpus with the production
settings, or restored from a cache of an earlier build (--archive-cache), as building 20,000
articles takes minutes and the load itself one.

What the load needs from it: the corpus's next slice (chunks the ingest adds during the
load) and the targets, what the simulated readers ask for (article slugs, tags, outlets,
places and dates sampled from the archive; query words from the corpus).
"""

import hashlib
import json
import random
import re
import shutil
import subprocess
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.corpus import as_jsonl, generate
from bench.server import ROOT, manage, run, step

# Code that decides what an archive holds: a cached archive built by other code is rebuilt.
ARCHIVE_CODE = ["archive", "search", "config/settings", "bench/corpus.py"]


@dataclass
class Archive:
    incoming: list[str]  # paths of the chunks the ingest adds during the load, in order
    targets: dict[str, list]
    timings: dict[str, float]  # seconds per build step


def build_archive(args, env: dict[str, str], work: Path) -> Archive:
    """Migrate, load the regions, ingest --articles articles, or restore a cached build;
    the corpus's next --ingest-articles in chunks, for the ingest during the load; and the
    targets, with the query words."""
    if getattr(args, "from_archive", None):
        return _from_search_archive(args, env, work)
    cache = _cache_dir(args)
    name = f"incoming-{args.ingest_articles}x{args.ingest_chunk}"
    cached_incoming = cache / name if cache and args.ingest_articles else None
    incoming = None
    if cached_incoming and cached_incoming.exists():
        incoming = cached_incoming
    elif args.ingest_articles:
        incoming = work / name
        incoming.mkdir()
    if cache and (cache / "archive.json").exists():
        step(f"archive from the cache {cache}")
        archive = _restore(cache, args, env, work)
        bodies = _write_corpus(args, incoming=incoming if incoming != cached_incoming else None)
    else:
        step(f"corpus: {args.articles} + {args.ingest_articles} articles in {work}")
        bodies = _write_corpus(args, archive=work / "archive.jsonl", incoming=incoming)
        archive = _build(args, env, work)
        if cache:
            _save(archive, cache, args, env, work)
    if cached_incoming and incoming != cached_incoming:
        shutil.copytree(incoming, cached_incoming)
    archive.targets.update(vocabulary(bodies))
    archive.incoming = []
    for chunk in sorted(incoming.glob("incoming-*.jsonl")) if incoming else []:
        shutil.copy2(chunk, work)
        archive.incoming.append(str(work / chunk.name))
    return archive


def _from_search_archive(args, env: dict[str, str], work: Path) -> Archive:
    """An archive bench/search.py built and kept (--reuse DIR): the same corpus (same
    seed), its SQLite database and Whoosh index copied, so a 100,000-article load run does
    not build the archive a second time. Nothing is ingested during the load."""
    source = Path(args.from_archive)
    manifest = json.loads((source / "archive.json").read_text())
    if (manifest.get("database"), manifest.get("backend")) != ("sqlite", "whoosh"):
        raise SystemExit(f"{source} is not a SQLite + Whoosh archive: {manifest}")
    if not manifest.get("built") or manifest["articles"] != args.articles:
        raise SystemExit(
            f"{source} holds {manifest.get('articles')} built articles, not {args.articles}"
        )
    step(f"archive from {source} ({manifest['articles']} articles)")
    for path in source.glob("archive.sqlite3*"):
        shutil.copy2(path, work)
    shutil.copytree(source / "index", work / "index")
    # The copy, not the archive kept: an archive built before the code's newest migration
    # would answer every page with a 500 (gunicorn "did not answer").
    run(manage("migrate", "--noinput", "-v0"), env, work / "migrate.log")
    targets = json.loads(shell(env, "print_archive_targets()", work))
    archive = Archive([], targets, {})
    archive.targets.update(vocabulary(_write_corpus(args)))
    return archive


def _build(args, env: dict[str, str], work: Path) -> Archive:
    timings = {}
    for name, command in [
        ("migrate", manage("migrate", "--noinput", "-v0")),
        ("load_regions", manage("load_regions", *args.region_args)),
        ("ingest", manage("ingest", str(work / "archive.jsonl"))),
    ]:
        step(f"{name}…")
        started = time.perf_counter()
        run(command, env, work / f"{name}.log")
        timings[name] = time.perf_counter() - started
    targets = json.loads(shell(env, "print_archive_targets()", work))
    if empty := [key for key, values in targets.items() if not values]:
        raise SystemExit(f"nothing to ask for: {empty} (load more --countries?)")
    return Archive([], targets, timings)


def shell(env: dict[str, str], call: str, work: Path) -> str:
    """The last line one of this module's functions prints, run in `manage.py shell`."""
    code = f"import bench.load_archive; bench.load_archive.{call}"
    return run(manage("shell", "-c", code), env, work / "shell.log").strip().splitlines()[-1]


# The corpus


def _write_corpus(args, archive: Path | None = None, incoming: Path | None = None) -> list[str]:
    """In one pass over the corpus: its first --articles to ``archive`` (if given), the next
    --ingest-articles in chunk files to ``incoming`` (if given); the first 400 bodies, for
    the query words."""
    total = args.articles + (args.ingest_articles if incoming else 0)
    if not (archive or incoming):
        total = min(total, 400)
    bodies = []
    out = archive.open("w", encoding="utf-8") if archive else None
    try:
        for number, article in enumerate(generate(total)):
            if number < 400:
                bodies.append(article.body)
            if number < args.articles:
                if out:
                    out.write(as_jsonl(article) + "\n")
                continue
            chunk = incoming / f"incoming-{(number - args.articles) // args.ingest_chunk:03d}.jsonl"
            with chunk.open("a", encoding="utf-8") as part:
                part.write(as_jsonl(article) + "\n")
    finally:
        if out:
            out.close()
    return bodies


def vocabulary(bodies: list[str]) -> dict[str, list]:
    """What readers search for, from the corpus itself: content words found in many
    articles (20-60% of them), in a few (1-5%), in two of the sample (about 0.5%), two-word
    phrases as printed, and misspellings."""
    documents: Counter = Counter()
    phrases = []
    for body in bodies:
        words = re.findall(r"[a-z]+", body.lower())
        documents.update(set(words))
        phrases.append(" ".join(words[40:42]))
    ranked = [word for word, _ in documents.most_common() if len(word) > 3]
    common = ranked[60:260]  # past the function words, still in many articles
    share = {word: count / len(bodies) for word, count in documents.items() if len(word) > 3}
    medium = [word for word, part in share.items() if 0.01 <= part <= 0.05][:600]
    rare = [word for word, count in documents.items() if count == 2 and len(word) > 5][:300]
    return {
        "common_words": common,
        "medium_words": medium or common,
        "rare_words": rare or common,
        "phrases": [phrase for phrase in phrases if " " in phrase][:300],
        "misspellings": [word[:2] + word[3] + word[2] + word[4:] for word in common[:100]],
    }


# Run inside `manage.py shell` (see ``shell``): they print JSON.


def print_archive_targets() -> None:
    """Pages the readers ask for, sampled from the archive."""
    from django.db.models import Count
    from django.db.models.functions import TruncDay

    from archive.models import Article, Outlet, Region, Tag

    rng = random.Random(2017)
    published = Article.objects.published()

    def sample(values, size: int) -> list:
        values = list(values)
        return rng.sample(values, min(size, len(values)))

    days = published.annotate(day=TruncDay("published_at")).values_list("day", flat=True)
    days = sample(days.distinct(), 400)
    with_articles = {"articles__isnull": False}
    targets = {
        "articles": sample(published.values_list("slug", flat=True), 3000),
        "article_ids": sample(published.values_list("id", flat=True), 3000),
        "tags": sample(Tag.objects.filter(**with_articles).distinct().values("slug", "name"), 800),
        "outlets": list(
            Outlet.objects.annotate(count=Count("articles")).values("slug", "name", "count")
        ),
        "regions": sample(
            Region.objects.filter(**with_articles).distinct().values("slug", "name"), 600
        ),
        "days": [[day.year, day.month, day.day] for day in days],
        "years": sorted({day.year for day in days}),
    }
    print(json.dumps(targets))


def print_after_load(run_id: str) -> None:
    """This run's comments in the database (by their tokens), and the index against the
    database once the outbox is applied, as the outbox worker beside gunicorn would."""
    from archive.models import Comment
    from search.backends import get_backend
    from search.documents import indexable_articles
    from search.sync import apply_outbox, pending_count

    token = re.compile(rf"load-{re.escape(run_id)}-[0-9]+-[0-9a-f]+")
    bodies = Comment.objects.filter(body__contains=f"load-{run_id}-").values_list("body", flat=True)
    apply_outbox()
    facts = {
        "comments": [token.search(body).group(0) for body in bodies],
        "articles": indexable_articles().count(),
        "documents": get_backend().count(),
        "pending": pending_count(),
    }
    print(json.dumps(facts))


# The cache


def _cache_dir(args) -> Path | None:
    if not args.archive_cache:
        return None
    trees = subprocess.run(
        ["git", "rev-parse", *(f"HEAD:{path}" for path in ARCHIVE_CODE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    code = hashlib.sha1(trees.encode()).hexdigest()[:10] if trees else "no-git"
    countries = args.countries.replace(",", "-") or "world"
    name = f"{args.database}-{args.articles}-{countries}-{code}"
    return Path(args.archive_cache).resolve() / name


def _save(archive: Archive, cache: Path, args, env: dict[str, str], work: Path) -> None:
    partial = cache.with_name(cache.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    if args.database == "sqlite":
        for path in work.glob("archive.sqlite3*"):
            shutil.copy2(path, partial)
        shutil.copytree(work / "index", partial / "index")
    else:
        dump = ["pg_dump", "--format=custom", "--no-owner", f"--file={partial / 'archive.dump'}"]
        subprocess.run([*dump, env["DATABASE_URL"]], check=True)
    (partial / "archive.json").write_text(json.dumps(asdict(archive)))
    for kept in cache.glob("incoming-*x*") if cache.exists() else []:
        kept.rename(partial / kept.name)  # the ingest's slices belong to no one archive
    shutil.rmtree(cache, ignore_errors=True)
    partial.rename(cache)


def _restore(cache: Path, args, env: dict[str, str], work: Path) -> Archive:
    saved = json.loads((cache / "archive.json").read_text())
    if args.database == "sqlite":
        for path in cache.glob("archive.sqlite3*"):
            shutil.copy2(path, work)
        shutil.copytree(cache / "index", work / "index")
    else:
        restore = ["pg_restore", "--no-owner", "--exit-on-error"]
        subprocess.run(
            [*restore, f"--dbname={env['DATABASE_URL']}", cache / "archive.dump"], check=True
        )
    return Archive(**{**saved, "incoming": []})
