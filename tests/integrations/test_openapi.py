"""GET /api/v1/openapi.json: a valid OpenAPI 3.1 document that describes the answers the API really gives."""

import jsonschema
import pytest
from openapi_spec_validator import validate


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert (response.status_code, response.mimetype) == (200, "application/json")
    return response.get_json()


def check(document, schema_name, instance):
    """Validate `instance` against one of the document's component schemas, with its $refs."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(instance)


def test_the_document_is_valid_openapi(document):
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_the_contract_example_matches_the_request_schema(document, contract_request):
    check(document, "Request", contract_request)


def test_a_request_without_an_applicant_does_not_match_the_request_schema(document, contract_request):
    del contract_request["applicant"]
    with pytest.raises(jsonschema.ValidationError):
        check(document, "Request", contract_request)


@pytest.mark.usefixtures("honour_submission_times")
def test_the_real_answers_match_their_schemas(document, api, contract_request):
    created = api.submit(contract_request)
    check(document, "Answer", created.get_json())
    check(document, "Answer", api.submit(contract_request).get_json())
    check(document, "CaseStatus", api.follow(created.get_json()["case_code"]).get_json())
    contract_request["copies"] = 30
    check(document, "Problem", api.submit(contract_request).get_json())
    check(document, "Problem", api.http.get("/api/v1/requests/x").get_json())


def test_each_operation_lists_the_statuses_it_answers(document):
    submit = document["paths"]["/requests"]["post"]["responses"]
    follow = document["paths"]["/requests/{case_code}"]["get"]["responses"]
    download = document["paths"]["/requests/{case_code}/certificate"]["get"]["responses"]
    assert "application/pdf" in download["200"]["content"]
    assert {"401", "403", "404"} <= set(download)
    assert "2XX" in document["webhooks"]["caseEvent"]["post"]["responses"]
    assert {"201", "200", "400", "401", "403", "409", "415", "422", "429"} <= set(submit)
    assert {"200", "401", "403", "404"} <= set(follow)
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_no_operation_is_left_planned_and_the_callback_has_its_contract_fields(document):
    operations = [operation for path in document["paths"].values() for operation in path.values()]
    assert not [operation for operation in operations if "x-lltp-status" in operation]
    assert set(document["components"]["schemas"]["CallbackEvent"]["required"]) == {
        "id",
        "event",
        "case_code",
        "external_id",
        "stage",
        "certificate_status",
        "at",
    }
