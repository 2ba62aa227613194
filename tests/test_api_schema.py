"""The API against its own OpenAPI schema (issue 22, item 5): schemathesis generates requests
for every operation from /api/schema/ — valid ones and, for each, ones the schema forbids — and
sends them to the Django WSGI application with a token of the owning unit's staff. No answer may
be a 500, and every answer must be one the schema states: its status code, content type, body
and headers. Runs in `make test`; bounded by MAX_EXAMPLES (a minute or so on a shared machine),
derandomised so that CI runs the same requests each time. It prints how many it sent."""

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories
from tests.test_api import token_for

MAX_EXAMPLES = 25
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Real records, so that generated requests also reach the validation behind the lookups.
REAL_PATHS = {"code": "24000000-3029", "fiscal_year": 2564, "quarter": 2}
REAL_INDICATOR = {"code": "2400-1065"}


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, in the test's transaction: what the test client does, it stops
    a request from closing the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(social_dept, district_office, staff):
    project = factories.make_project(code="24000000-3029", unit=social_dept, fiscal_year=2564)
    factories.make_report(project)
    factories.make_step(project)
    indicator = factories.make_indicator(code="2400-1065", unit=social_dept, fiscal_year=2564)
    indicator.projects.add(project)
    factories.make_indicator_quarter(indicator, quarter=1, result=1)
    factories.make_project(unit=district_office, fiscal_year=2564)
    factories.make_plan_node(code="3.2.2.1")
    return {"Authorization": f"Bearer {token_for(staff)}"}


def test_every_generated_request_gets_an_answer_the_schema_states(settings, wsgi_app, world, capsys):
    settings.API_RATE_PER_MINUTE = 100_000  # the throttle has its own test
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app, headers=world)
    sent, answers = {}, {}

    def run(operation, mode, paths):
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=paths)

        @hypothesis.given(case=strategy)
        @hypothesis.settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            response = case.call(headers=world)
            answers[response.status_code] = answers.get(response.status_code, 0) + 1
            sent[operation.label] = sent.get(operation.label, 0) + 1
            if mode == schemathesis.GenerationMode.POSITIVE:
                case.validate_response(response, checks=CONFORMANCE, headers=world)
            else:  # a request the schema forbids: refused, never a 500, in the schema's words
                case.validate_response(response, checks=[not_a_server_error, content_type_conformance], headers=world)

        check()

    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        names = {parameter.name for parameter in operation.path_parameters}
        real = {**REAL_PATHS, **(REAL_INDICATOR if "indicators" in operation.path else {})}
        variants = [None, {name: real[name] for name in names}] if names else [None]
        for paths in variants:
            for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
                run(operation, mode, paths)
    total = sum(sent.values())
    with capsys.disabled():
        print(f"\nschemathesis: {total} generated requests over {len(operations)} operations")
        for label, count in sorted(sent.items()):
            print(f"  {label}: {count}")
        print("  answers by status: " + ", ".join(f"{code}: {n}" for code, n in sorted(answers.items())))
    assert len(operations) == 9
    assert total >= 9 * MAX_EXAMPLES
    assert answers.get(201, 0) >= 2  # the examples reached the stores: a report and a quarter result
