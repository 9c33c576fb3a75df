"""Switching backends without downtime: `rebuild_index --backend NAME` builds NAME's index
while the configured backend keeps serving and applying the outbox, and no change made
during the build, or after it until the switch, is lost to either backend."""

from io import StringIO

import pytest
from django.core.management import call_command

from search import service
from search.backends import get_backend, load_backend, reset_backend
from search.documents import iter_all_documents
from search.management.commands import rebuild_index
from search.models import IndexFollower, IndexOutbox
from search.sync import apply_outbox, pending_count
from tests.factories import make_article, make_outlet, make_tag
from tests.search.conftest import backends_for_this_database


def titles(backend, q: str = "") -> list[str]:
    page = service.search(service.build_request(q, sort="oldest", page_size=20), backend)
    return [article.title for _, article in page.hits]


def switches() -> list[tuple[str, str]]:
    names = backends_for_this_database()
    return [(serving, target) for serving in names for target in names if serving != target]


@pytest.mark.parametrize(("serving_name", "target_name"), switches())
def test_a_backend_built_beside_the_serving_one_misses_no_change(
    serving_name, target_name, settings, monkeypatch, db
):
    settings.SEARCH_BACKEND = serving_name
    reset_backend()
    serving = get_backend()
    serving.clear()
    outlet = make_outlet()
    revised, retagged, deleted, _ = (
        make_article(outlet, title=title)
        for title in ("Revised", "Retagged", "Deleted", "Read last")
    )
    apply_outbox(serving)

    def while_the_site_changes(batch_size: int):
        for number, batch in enumerate(iter_all_documents(batch_size=1), start=1):
            yield batch
            if number != 3:
                continue
            # Three articles read: the site changes them, and applies its outbox as its
            # processes do after each commit (deleting the rows).
            revised.title = "Revised amid the rebuild"
            revised.save()
            retagged.tags.add(make_tag("Ceasefire"))  # no save: Article.updated_at stays
            deleted.delete()
            make_article(outlet, title="Published during the rebuild")
            apply_outbox(serving)
            revised.title = "Revised later, pending"
            revised.save()

    monkeypatch.setattr(rebuild_index, "iter_all_documents", while_the_site_changes)
    out = StringIO()
    call_command("rebuild_index", "--backend", target_name, stdout=out, stderr=StringIO())
    assert f"set SEARCH_BACKEND={target_name}" in out.getvalue()

    target = load_backend(target_name)
    now = ["Retagged", "Read last", "Published during the rebuild", "Revised later, pending"]
    # (Titles come from the database; the counts show the deleted article is gone.)
    assert sorted(titles(target)) == sorted(now)
    assert target.count() == 4
    assert titles(target, "tag:ceasefire") == ["Retagged"]
    assert titles(target, "revised pending") == ["Revised later, pending"]
    assert titles(target, "revised amid") == []
    # The serving backend's pending change is still its own to apply...
    assert pending_count(serving_name) == 1
    assert titles(serving, "revised pending") == []
    apply_outbox(serving)
    assert titles(serving, "revised pending") == ["Revised later, pending"]
    assert sorted(titles(serving)) == sorted(now)
    assert serving.count() == 4
    # ...and, once applied, it waits for the target too, until the site switches to it.
    make_article(outlet, title="Published after the rebuild")
    apply_outbox(serving)
    assert IndexOutbox.objects.filter(backend=target_name).count() == 2
    status = StringIO()
    call_command("index_status", stdout=status)
    assert f"built beside:          {target_name}" in status.getvalue()
    assert "2 changes waiting" in status.getvalue()

    settings.SEARCH_BACKEND = target_name
    reset_backend()
    call_command("sync_index", stdout=StringIO())
    assert sorted(titles(get_backend())) == sorted([*now, "Published after the rebuild"])
    assert get_backend().count() == 5
    assert not IndexFollower.objects.exists()
    assert not IndexOutbox.objects.exists()
    # Switched: changes are queued for the configured backend only.
    make_article(outlet, title="Published after the switch")
    assert list(IndexOutbox.objects.values_list("backend", flat=True)) == [""]


def test_rebuilding_the_configured_backend_applies_its_outbox_and_follows_nothing(backend, sync):
    make_article(title="Indexed")
    call_command("rebuild_index", "--backend", backend.name, stdout=StringIO(), stderr=StringIO())
    assert pending_count() == 0
    assert not IndexFollower.objects.exists()
    assert titles(backend) == ["Indexed"]


def test_a_switch_given_up_stops_queueing_for_its_backend(backend, sync):
    other = "whoosh" if backend.name != "whoosh" else "tantivy"
    call_command("rebuild_index", "--backend", other, stdout=StringIO(), stderr=StringIO())
    make_article(title="Queued for the other backend too")
    sync()
    assert IndexOutbox.objects.filter(backend=other).count() == 1

    out = StringIO()
    call_command("sync_index", "--forget", other, stdout=out)
    assert out.getvalue().strip() == f"Dropped {other}'s queue of 1 changes."
    make_article(title="Queued for the configured backend only")
    sync()
    assert not IndexOutbox.objects.exists()
    assert not IndexFollower.objects.exists()
