"""Fuzz the running API from its own OpenAPI schema (schemathesis), bounded in examples.

Every generated request must get a documented status with a body matching the documented
schema and content type, and never a 5xx.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="session")
def api_schema(api):
    schema = schemathesis.openapi.from_url(f"{api.url}/openapi.json")
    schema.base_url = api.url
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_schema(case, api):
    case.call_and_validate(base_url=api.url, checks=CHECKS, timeout=120)
