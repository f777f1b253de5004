"""Fuzz the running API from its own OpenAPI schema (schemathesis), bounded in examples.

Every generated request must get a documented status with a body matching the documented
schema and content type, and never a 5xx.
"""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation.modes import GenerationMode

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


MAX_EXAMPLES = 20  # per operation and mode: at most 240 requests in all
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)  # valid, then invalid, inputs


@pytest.mark.slow
def test_api_conforms_to_its_schema(api):
    schema = schemathesis.openapi.from_url(f"{api.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 8
    sent = []
    for op, mode in itertools.product(operations, MODES):
        if mode is GenerationMode.NEGATIVE and not op.definition.raw.get("parameters"):
            continue  # nothing to get wrong

        @given(case=op.as_strategy(generation_mode=mode))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def conforms(case):
            response = case.call_and_validate(base_url=api.url, checks=CHECKS, timeout=120)
            sent.append(response.status_code)

        conforms()
    assert len(sent) >= len(operations) * 2 * 5 and 400 in sent and 200 in sent
