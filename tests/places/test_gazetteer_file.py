"""The gazetteer kept in a file for the next process (archive.gazetteer_file): used only
while the database holds what it was built from, and never at the cost of a look-up."""

import io
import logging
import pickle

import pytest
from django.core.management import call_command
from django.db import transaction

from archive import gazetteer_file
from archive.gazetteer import load_regions
from archive.models import GazetteerVersion, Region, RegionName
from archive.places import Gazetteer
from archive.text import fold
from tests.processes import run_python

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(settings, tmp_path, monkeypatch):
    """A directory of this test's own, and a count of the builds from the tables."""
    settings.GAZETTEER_CACHE_DIR = tmp_path / "gazetteer"
    builds = []
    built = Gazetteer._built.__func__

    def counted(cls):
        builds.append(1)
        return built(cls)

    monkeypatch.setattr(Gazetteer, "_built", classmethod(counted))
    return builds


def same(first: Gazetteer, second: Gazetteer) -> bool:
    return (first.places, first.names, first.acronyms, first.iso_codes, first.prefixes) == (
        second.places,
        second.names,
        second.acronyms,
        second.iso_codes,
        second.prefixes,
    )


def erbil() -> Region:
    return Region.objects.get(name="Erbil", kind=Region.Kind.CITY)


def test_the_next_process_reads_the_gazetteer_from_the_file_the_first_one_left(gazetteer, files):
    built = Gazetteer.from_database()
    read = Gazetteer.from_database()

    assert files == [1]  # built once, read back the second time
    assert same(read, built)
    # Readable by the other users a site's processes may run as (mkstemp makes it 0600).
    assert gazetteer_file._path().stat().st_mode & 0o777 == 0o644
    assert read.places[erbil().pk].lineage == built.places[erbil().pk].lineage
    assert "us" in read.acronyms
    assert "erbil" in read.prefixes


def test_a_region_renamed_since_the_file_was_written_is_found_by_its_new_name(gazetteer, files):
    Gazetteer.from_database()
    city = erbil()
    city.name = "Hewler"
    city.save()

    fresh = Gazetteer.from_database()

    assert files == [1, 1]
    assert city.pk in fresh.names["hewler"]
    assert fresh.places[city.pk].name == "Hewler"


def test_a_name_added_is_found(gazetteer, files):
    Gazetteer.from_database()
    RegionName.objects.create(region=erbil(), name="Arbela Nova")

    assert erbil().pk in Gazetteer.from_database().names[fold("Arbela Nova")]


def test_a_change_rolled_back_leaves_no_file_that_a_later_change_could_be_taken_for(
    gazetteer, files
):
    """The version is a random token, not a counter: after the rollback the next change
    would get the counter's value of the change rolled back, whose file (written inside
    that transaction) holds its names, and the same row counts."""
    city = erbil()
    with transaction.atomic():
        city.name = "Rolled Back"
        city.save()
        assert city.pk in Gazetteer.from_database().names["rolled back"]  # filed
        transaction.set_rollback(True)
    city.refresh_from_db()
    city.name = "Kept"
    city.save()

    names = Gazetteer.from_database().names

    assert city.pk in names["kept"]
    assert "rolled back" not in names


def test_rows_written_around_the_version_are_still_seen(gazetteer, files):
    """bulk_create sends no signal, so no new token: the row counts in the key see it."""
    Gazetteer.from_database()
    added = RegionName(region=erbil(), name="Arbil Qadim", folded="arbil qadim")
    RegionName.objects.bulk_create([added])

    assert erbil().pk in Gazetteer.from_database().names["arbil qadim"]
    assert files == [1, 1]


def test_load_regions_gives_a_new_version(gazetteer, files):
    before = GazetteerVersion.objects.get().token

    load_regions(["IQ"])

    assert GazetteerVersion.objects.get().token != before


def test_a_file_from_other_code_is_not_used(gazetteer, files, monkeypatch):
    """A changed fold() must not meet names folded the old way."""
    Gazetteer.from_database()
    monkeypatch.setattr(gazetteer_file, "_code_digest", lambda: "other code")

    Gazetteer.from_database()

    assert files == [1, 1]


def test_a_damaged_file_is_rebuilt_and_replaced(gazetteer, files, caplog):
    built = Gazetteer.from_database()
    (path,) = gazetteer_file._path().parent.iterdir()
    path.write_bytes(path.read_bytes()[:1000])  # cut short, as a full disk would leave it

    with caplog.at_level(logging.WARNING, logger="archive.gazetteer_file"):
        rebuilt = Gazetteer.from_database()

    assert same(rebuilt, built)
    assert "could not be read" in caplog.text
    assert same(Gazetteer.from_database(), built)  # the file was replaced: read back
    assert files == [1, 1]


ran = []


def _run_from_a_file() -> None:
    ran.append("code from the file")


class _Runs:
    def __reduce__(self):
        return (_run_from_a_file, ())


def test_a_file_that_names_code_is_refused_without_running_it(gazetteer, files):
    key = gazetteer_file.database_key()
    path = gazetteer_file._path()
    path.parent.mkdir(parents=True)
    path.write_bytes(pickle.dumps({"key": key, "parts": _Runs()}))

    built = Gazetteer.from_database()

    assert ran == []
    assert files == [1]
    assert erbil().pk in built.names["erbil"]


def test_a_directory_that_cannot_be_written_costs_only_the_build(
    gazetteer, files, settings, tmp_path, caplog
):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.GAZETTEER_CACHE_DIR = blocker / "gazetteer"  # under a file: no directory

    with caplog.at_level(logging.WARNING, logger="archive.gazetteer_file"):
        built = Gazetteer.from_database()

    assert erbil().pk in built.names["erbil"]
    assert "could not be saved" in caplog.text


def test_without_a_directory_each_process_builds_its_own(gazetteer, files, settings):
    settings.GAZETTEER_CACHE_DIR = ""
    Gazetteer.from_database()
    Gazetteer.from_database()

    assert files == [1, 1]


def test_a_database_without_a_version_uses_no_file(gazetteer, files):
    """A flushed test database, say: nothing to key a file with."""
    GazetteerVersion.objects.all().delete()

    Gazetteer.from_database()
    Gazetteer.from_database()

    assert files == [1, 1]
    assert not gazetteer_file._path().parent.exists()


def test_the_load_regions_command_files_the_gazetteer_for_the_processes_after_it(gazetteer, files):
    call_command("load_regions", "--country", "LB", stdout=io.StringIO())

    assert files == [1]
    Gazetteer.from_database()
    assert files == [1]  # read from the file the command left


@pytest.mark.parametrize(
    ("value", "setting"), [("", "None"), ("/srv/dateline/cache", "/srv/dateline/cache")]
)
def test_the_directory_is_set_in_the_environment_and_empty_means_none(value, setting):
    """An empty value must not become the working directory (as env.path would make it)."""
    shown = run_python(
        "from django.conf import settings; print(settings.GAZETTEER_CACHE_DIR)",
        DJANGO_SETTINGS_MODULE="config.settings.base",
        GAZETTEER_CACHE_DIR=value,
    )

    assert shown.stdout.strip() == setting
