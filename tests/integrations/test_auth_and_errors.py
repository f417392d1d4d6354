"""Who may call /api/v1, and how it refuses: always problem+json (RFC 9457), never the HTML error page."""

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from lltp.accounts import services as account_services
from tests.factories import SYSTEM, create_user

PROBLEM_FIELDS = {"type", "title", "status", "detail"}


def assert_problem(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert set(problem) >= PROBLEM_FIELDS
    assert problem["status"] == status
    return problem


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer lltp_not-a-real-token"}, {"Authorization": "Basic dXNlcjpwYXNz"}],
    ids=["missing", "unknown", "not-bearer"],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_call_without_a_valid_token_is_a_401_problem(client, headers, method):
    path = "/api/v1/requests" if method == "post" else "/api/v1/requests/HCM-261120-0001"
    response = getattr(client, method)(path, json={}, headers=headers)
    problem = assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "token" in problem["detail"]


def test_a_revoked_token_is_a_401(api, contract_request, db):
    account_services.revoke_api_client(api.client, actor=SYSTEM)
    assert_problem(api.submit(contract_request), 401)


def test_the_401_is_pinned(client):
    snapshot_problem = client.post("/api/v1/requests", json={}).get_json()
    assert snapshot_problem == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "Thiếu API token: gửi kèm tiêu đề Authorization: Bearer <token>.",
    }


@pytest.mark.parametrize("kind", ["postal_operator", "record_source"])
def test_a_client_that_does_not_submit_requests_gets_403(make_api, contract_request, db, kind):
    api = make_api(kind)
    assert_problem(api.submit(contract_request), 403)
    assert_problem(api.follow("HCM-261120-0001"), 403)


def test_a_logged_in_officer_without_a_token_gets_401(login_as, client, db):
    login_as(create_user())
    assert_problem(client.get("/api/v1/requests/HCM-261120-0001"), 401)


def test_an_unknown_url_under_the_api_is_a_404_problem(api):
    assert_problem(api.http.get("/api/v1/nowhere", headers=api.headers()), 404)


def test_a_method_a_route_lacks_is_a_405_problem_with_allow(api):
    response = api.http.delete("/api/v1/requests", headers=api.headers())
    assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]


def test_html_pages_keep_their_html_errors(client):
    response = client.get("/khong-co-trang-nay")
    assert (response.status_code, response.mimetype) == (404, "text/html")


def test_problems_are_pinned(api, snapshot):
    snapshot = snapshot.use_extension(JSONSnapshotExtension)
    answers = {
        "415": api.http.post("/api/v1/requests", data="x", headers=api.headers()).get_json(),
        "404": api.follow("HCM-261120-9999").get_json(),
    }
    assert answers == snapshot
