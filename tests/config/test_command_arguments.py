"""Management commands refuse values that make no sense with a one-line error naming the
option, before doing anything: no traceback, and no quiet run doing the wrong thing."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from search.backends import get_backend
from tests.factories import make_article


@pytest.mark.parametrize(
    ("command", "option", "value", "message"),
    [
        ("rebuild_index", "--batch-size", "0", "must be at least 1, not 0"),
        ("rebuild_index", "--batch-size", "-3", "must be at least 1, not -3"),
        ("locate_articles", "--batch-size", "0", "must be at least 1"),
        ("ingest", "--batch-size", "0", "must be at least 1"),
        ("search", "--limit", "0", "must be at least 1"),
        ("sync_index", "--interval", "-5", "must be more than 0 seconds"),
        ("sync_index", "--interval", "nan", "must be more than 0 seconds"),
        ("purge_comment_pii", "--older-than", "99999999", "must be at most 36,500 days"),
        ("purge_comment_pii", "--older-than", "soon", "not a number: 'soon'"),
    ],
)
def test_a_value_out_of_range_is_refused_naming_the_option(command, option, value, message):
    arguments = [option, value] + (["raqqa"] if command == "search" else [])
    with pytest.raises(CommandError, match=f"argument {option}: {message}"):
        call_command(command, *arguments)


@pytest.mark.django_db
def test_a_refused_batch_size_leaves_the_serving_index_alone(settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    make_article(title="Still found")
    call_command("rebuild_index", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError):
        call_command("rebuild_index", "--batch-size", "0")
    assert get_backend().count() == 1


@pytest.mark.django_db
def test_forgetting_a_backend_that_does_not_exist_is_an_error():
    with pytest.raises(CommandError, match="'bogus' is not a search backend"):
        call_command("sync_index", "--forget", "bogus")


@pytest.mark.django_db
def test_removing_a_moderator_who_is_not_one_says_so():
    get_user_model().objects.create_user("reader")
    with pytest.raises(CommandError, match="reader is not a moderator"):
        call_command("add_moderator", "reader", "--remove")


@pytest.mark.django_db
def test_an_unknown_country_code_is_an_error_before_anything_is_loaded():
    with pytest.raises(CommandError, match="Unknown country code XX"):
        call_command("load_regions", "--country", "XX", "--country", "iq")
