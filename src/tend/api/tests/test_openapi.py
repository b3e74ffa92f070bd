"""The API says what it does: every operation of the OpenAPI document lists the refusals a
client must handle, each with the shared error body, and no two schemas share a name (the
document would show one of them for both)."""

import json

import pytest
from ninja import Schema

from tend.api.api import api

# As clients read it: JSON, status codes as strings.
DOCUMENT = json.loads(json.dumps(api.get_openapi_schema()))
OPERATIONS = [
    (method.upper(), path, operation)
    for path, methods in DOCUMENT["paths"].items()
    for method, operation in methods.items()
]

# Operations that refuse by role or by the four-eyes guard, whatever the record.
ROLE_GUARDED = {
    ("POST", "/api/v1/customers"),
    ("PATCH", "/api/v1/customers/{customer_id}"),
    ("DELETE", "/api/v1/customers/{customer_id}"),
    ("POST", "/api/v1/customers/{customer_id}/release"),
    ("POST", "/api/v1/customers/{customer_id}/assign"),
    ("POST", "/api/v1/products"),
    ("POST", "/api/v1/exchange-rates"),
    ("POST", "/api/v1/customers/{customer_id}/orders"),
    ("POST", "/api/v1/orders/{order_id}/status"),
    ("POST", "/api/v1/disruptions"),
    ("POST", "/api/v1/disruptions/{disruption_id}/shift"),
    ("POST", "/api/v1/disruptions/{disruption_id}/notify"),
    ("POST", "/api/v1/approval-requests/{request_id}/decide"),
    ("POST", "/api/v1/approval-requests/{request_id}/withdraw"),
    ("POST", "/api/v1/tasks/{task_id}/complete"),
    ("POST", "/api/v1/tasks/{task_id}/cancel"),
    ("GET", "/api/v1/health/runs"),
    ("POST", "/api/v1/customers/{customer_id}/lost"),
    ("PUT", "/api/v1/market/tiers/{tier}"),
    ("POST", "/api/v1/market/tier-proposals/apply"),
    ("POST", "/api/v1/market/territory-rights"),
    ("POST", "/api/v1/market/territories/{territory_id}/areas"),
    ("POST", "/api/v1/market/alerts/{alert_id}/classify"),
    ("POST", "/api/v1/market/alerts/{alert_id}/action"),
    ("POST", "/api/v1/market/notices"),
    ("POST", "/api/v1/market/notices/{notice_id}/send"),
}


def ids(operations):
    return [f"{method} {path}" for method, path, _ in operations]


def expected_refusals(method: str, path: str, operation: dict) -> set[str]:
    locations = {parameter["in"] for parameter in operation.get("parameters", [])}
    expected = {"401"}
    if "path" in locations:
        expected |= {"404", "422"}
    if locations or "requestBody" in operation:
        expected.add("422")
    if "requestBody" in operation:
        expected.add("400")
    if (method, path) in ROLE_GUARDED:
        expected.add("403")
    return expected


def schema_of(response: dict) -> dict:
    reference = response["content"]["application/json"]["schema"]["$ref"]
    return DOCUMENT["components"]["schemas"][reference.rsplit("/", 1)[1]]


def test_every_role_guarded_operation_is_in_the_document():
    assert {(method, path) for method, path, _ in OPERATIONS} >= ROLE_GUARDED


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=ids(OPERATIONS))
def test_every_operation_documents_its_refusals(method, path, operation):
    documented = {code for code in operation["responses"] if code.startswith("4")}
    assert expected_refusals(method, path, operation) <= documented


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=ids(OPERATIONS))
def test_every_refusal_has_a_message_and_errors_by_field(method, path, operation):
    for code, response in operation["responses"].items():
        if code.startswith("4"):
            schema = schema_of(response)
            assert schema["required"][0] == "message", code
            assert schema["properties"]["errors"]["type"] == "object", code


def test_no_two_schemas_share_a_name():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names: dict[str, set[str]] = {}
    for schema in subclasses(Schema):
        if schema.__module__.startswith("tend."):
            names.setdefault(schema.__name__, set()).add(schema.__module__)
    assert {name: modules for name, modules in names.items() if len(modules) > 1} == {}
