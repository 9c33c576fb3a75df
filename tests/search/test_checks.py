import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection


def test_an_unknown_backend_stops_the_service_with_the_choices(settings):
    settings.SEARCH_BACKEND = "elastic"
    with pytest.raises(SystemCheckError, match=r"(?s)search\.E001.*postgres, tantivy, whoosh"):
        call_command("check")


@pytest.mark.skipif(connection.vendor == "postgresql", reason="checks the SQLite refusal")
def test_the_postgres_backend_refuses_to_start_on_sqlite(settings):
    settings.SEARCH_BACKEND = "postgres"
    with pytest.raises(SystemCheckError, match="SEARCH_BACKEND=postgres needs PostgreSQL"):
        call_command("check")


def test_a_configured_backend_passes(settings):
    settings.SEARCH_BACKEND = "postgres" if connection.vendor == "postgresql" else "whoosh"
    call_command("check")
