from pathlib import Path

from whoosh import index

from search.documents import indexable_articles


def whoosh_ids(index_dir: Path) -> list[int]:
    """Every article id the Whoosh index's serving generation holds, read from its files as
    a new process would (duplicates kept, to be caught)."""
    generation = (index_dir / "CURRENT").read_text().strip()
    with index.open_dir(str(index_dir / generation)).searcher() as searcher:
        return sorted(int(fields["id"]) for fields in searcher.all_stored_fields())


def indexable_ids() -> list[int]:
    return sorted(indexable_articles().values_list("id", flat=True))
