"""The /search/ page of two checkouts on one archive, measured in turns:

    python bench/page_ab.py --reuse DIR --before PATH [--rounds 2] [--warmup 20]

DIR is an archive bench/search.py built and measured once (its queries.json); PATH is a
checkout of the code to compare with this one (e.g. `git worktree add /tmp/before REV`),
run with this checkout's Python. Each round measures the page with one checkout, then the
other (bench/search_measure.py page, a process each), so that a machine whose speed drifts
during the run (a shared host) slows both alike. Prints p50 and p95 per class, each the
median of the rounds'. Measures only: nothing is recorded.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search import MANIFEST, environment, page_settings, run_percentiles  # noqa: E402


def measure_page(checkout: Path, work: Path, manifest: dict, args: argparse.Namespace) -> dict:
    env = environment(manifest, work, **page_settings(work, args))
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "page.json"
        command = [sys.executable, str(checkout / "bench" / "search_measure.py"), "page"]
        command += ["--queries", str(work / "queries.json"), "--out", str(out)]
        command += ["--warmup", str(args.warmup), "--page-size", str(args.page_size)]
        subprocess.run(command, env=env, cwd=checkout, check=True)
        # Keyed by mode, as bench/search.py keeps a run's outcome: run_percentiles reads it.
        return {"page": json.loads(out.read_text())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", type=Path, required=True, help="the archive's DIR")
    parser.add_argument("--before", type=Path, required=True, help="the other checkout")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--page-size", type=int, default=10)
    args = parser.parse_args()
    work = args.reuse.resolve()
    manifest = json.loads((work / MANIFEST).read_text())
    if not (work / "queries.json").exists() or not (work / "static").exists():
        raise SystemExit(f"Measure {work} once with bench/search.py first (queries, static).")
    checkouts = {"before": args.before.resolve(), "this": ROOT}
    runs: dict[str, list[dict]] = {name: [] for name in checkouts}
    for round_number in range(args.rounds):
        for name, checkout in checkouts.items():
            print(f"Round {round_number + 1}: {name} ({checkout})", file=sys.stderr)
            runs[name].append(measure_page(checkout, work, manifest, args))
    print("| class | before p50 | before p95 | this p50 | this p95 |")
    print("| --- | --- | --- | --- | --- |")
    for kind in runs["this"][0]["page"]["classes"]:
        cells = []
        for name in checkouts:
            p50, p95, _ = run_percentiles(runs[name], "page", kind)
            cells += [f"{p50:.1f}", f"{p95:.1f}"]
        print(f"| {kind} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
