"""Schemathesis against the API's own OpenAPI schema: generated requests to every
operation get no server error, and every response (its status code, content type and body)
is one the schema declares.

Bounded: at most MAX_EXAMPLES requests per operation, the same ones every run, and no
shrinking (a failure is reported as found rather than minimised): about ten seconds in all.
"""

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from api.throttling import AnonymousClientThrottle
from search.sync import apply_outbox
from tests.factories import make_article, make_tag


@pytest.fixture
def api_schema(gazetteer, monkeypatch):
    # Hundreds of requests in a second: throttling would answer most of them 429.
    monkeypatch.setattr(AnonymousClientThrottle, "THROTTLE_RATES", {"anon": None, "comments": None})
    make_article(tags=[make_tag("Raqqa")])
    apply_outbox()  # a real index holding the article: /api/search/ answers from it
    # As Django's test client does: the test's transaction must outlive each request.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield schemathesis.from_wsgi("/api/schema/", get_wsgi_application())
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


schema = schemathesis.from_pytest_fixture("api_schema")
MAX_EXAMPLES = 15

# schemathesis 3 still imports jsonschema's deprecated RefResolutionError.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    phases=[Phase.explicit, Phase.generate],
    deadline=None,  # no timing in tests: the bound is the number of examples
    derandomize=True,  # the same examples every run: a failure here is reproducible
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_schema(case):
    response = case.call_wsgi()
    case.validate_response(
        response,
        checks=(
            not_a_server_error,
            status_code_conformance,
            response_schema_conformance,
            content_type_conformance,
        ),
    )


def test_the_schema_is_valid_openapi_with_no_warning(tmp_path):
    """drf-spectacular's own check: every view described, nothing guessed."""
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
