"""How long `manage.py load_regions` takes for the whole world: the first load and a rerun.

    python bench/load_regions.py [--database sqlite|postgres]

Starts from an empty, migrated database (a temporary SQLite file, or a scratch PostgreSQL
database that is dropped afterwards), runs the command twice in child processes and prints
both times. Exits non-zero if either passes the one-minute target that issue 5 sets, so it
can guard the target where a test loading the whole world would be too slow to run often.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, result.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    options = parser.parse_args()
    manage = [sys.executable, "manage.py"]
    with tempfile.TemporaryDirectory() as work:
        env = {**os.environ, "DEBUG": "true", "SEARCH_INDEX_DIR": str(Path(work) / "index")}
        scratch = f"bench_regions_{os.getpid()}"
        if options.database == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{Path(work) / 'regions.sqlite3'}"
        else:
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", scratch], check=True)
            env["DATABASE_URL"] = PG_URL.format(name=scratch)
        try:
            subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
            first, report = timed([*manage, "load_regions"], env)
            again, _ = timed([*manage, "load_regions"], env)
        finally:
            if options.database == "postgres":
                subprocess.run(
                    ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", scratch],
                    check=True,
                )
    print(report)
    print(f"{options.database}: first load {first:.1f}s, again {again:.1f}s "
          f"(target: under {TARGET_SECONDS:.0f}s)")  # fmt: skip
    return 0 if max(first, again) < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
