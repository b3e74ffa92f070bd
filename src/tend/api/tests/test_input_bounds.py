"""Numbers and dates the database or calendar arithmetic cannot hold are a 422 naming the
parameter, on every operation, on SQLite and PostgreSQL alike."""

import pytest

from tend.api.api import api

BIG = "99999999999999999999"


def _integer_query_parameters():
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                types = [schema, *schema.get("anyOf", [])]
                if parameter["in"] == "query" and any(t.get("type") == "integer" for t in types):
                    yield f"{method} {path} {parameter['name']}", types


def test_every_integer_query_parameter_has_a_maximum_a_bigint_holds():
    unbounded = [
        name
        for name, types in _integer_query_parameters()
        if not any(t.get("maximum", 2**64) <= 2**63 - 1 for t in types)
    ]
    assert unbounded == []


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        (f"/api/v1/customers?owner={BIG}", "owner"),
        (f"/api/v1/customers?page={BIG}", "page"),
        (f"/api/v1/orders?page={BIG}", "page"),
        (f"/api/v1/orders?customer={BIG}", "customer"),
        (f"/api/v1/lost?team_id={BIG}", "team_id"),
        (f"/api/v1/health/at-risk?owner_id={BIG}", "owner_id"),
        (f"/api/v1/promises?customer={BIG}", "customer"),
        (f"/api/v1/promises?made_by={BIG}", "made_by"),
        (f"/api/v1/inquiries?owner={BIG}", "owner"),
        (f"/api/v1/inquiries?customer={BIG}", "customer"),
        (f"/api/v1/tasks?customer_id={BIG}", "customer_id"),
        (f"/api/v1/agenda?person={BIG}", "person"),
        ("/api/v1/reliability?start=0001-01-01", "start"),
        ("/api/v1/reliability?end=9999-12-31", "end"),
        ("/api/v1/lost?lost_from=0001-01-01", "lost_from"),
        ("/api/v1/lost?lost_to=9999-12-31", "lost_to"),
        ("/api/v1/orders?order_date_to=9999-12-31", "order_date_to"),
        ("/api/v1/promises?due_after=9999-12-31T23:59:59", "due_after"),
        ("/api/v1/tasks?due_before=0001-01-01T00:00:00", "due_before"),
    ],
)
def test_an_out_of_range_query_parameter_is_a_422_naming_it(client, admin_user, url, parameter):
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [parameter]


def test_dates_inside_the_calendar_bounds_still_answer(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/api/v1/reliability?start=1900-01-01&end=2999-12-31")
    assert response.status_code == 200


def _integer_body_fields():
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    seen: set[str] = set()

    def walk(name):
        if name in seen:
            return
        seen.add(name)
        for field, field_schema in components[name].get("properties", {}).items():
            types = [field_schema, *field_schema.get("anyOf", [])]
            types += [t["items"] for t in types if t.get("type") == "array"]
            for option in types:
                if "$ref" in option:
                    yield from walk(option["$ref"].rsplit("/", 1)[-1])
                if option.get("type") == "integer":
                    yield f"{name}.{field}", option

    for operations in schema["paths"].values():
        for operation in operations.values():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body and "$ref" in body["schema"]:
                yield from walk(body["schema"]["$ref"].rsplit("/", 1)[-1])


def test_every_integer_in_a_request_body_has_a_maximum_a_bigint_holds():
    unbounded = [
        name for name, option in _integer_body_fields() if option.get("maximum", 2**64) > 2**63 - 1
    ]
    assert unbounded == []


def test_a_task_due_at_the_end_of_the_calendar_is_a_422_and_adds_nothing(client, rep1, book):
    from tend.tasks.models import Task

    client.force_login(rep1)
    response = client.post(
        "/api/v1/tasks",
        {
            "customer_id": book["rep1_owned"].pk,
            "kind": "call",
            "title": "Call",
            "due_at": "9999-12-31T23:00:00",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "due_at": ["Value error, Pick a date between 1900-01-01 and 2999-12-31."]
    }
    assert not Task.objects.exists()


def test_an_interaction_naming_a_person_id_no_row_can_have_is_a_422(client, rep1, book):
    from tend.engagement.models import Interaction

    client.force_login(rep1)
    response = client.post(
        f"/api/v1/customers/{book['rep1_owned'].pk}/interactions",
        {"channel": "call", "direction": "out", "person_ids": [int(BIG)]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["person_ids.0"]
    assert not Interaction.objects.exists()
