"""The widget /embed/tra-cuu and /tra-cuu.json (issue 7): framed and read only by the configured portals,
no cookie, the same answers and the same limits as /tra-cuu."""

import pytest

from lltp.cases.models import CaseStage
from lltp.extensions import limiter
from tests.factories import create_case
from tests.status.cases import NOT_FOUND, lookup, page_text

PORTAL = "https://dichvucong.example.gov.vn"


@pytest.fixture
def portals(app):
    was = app.config["LLTP_EMBED_ORIGINS"]
    app.config["LLTP_EMBED_ORIGINS"] = (PORTAL, "https://cong.example.vn")
    yield
    app.config["LLTP_EMBED_ORIGINS"] = was


@pytest.fixture
def case(db):
    return create_case(CaseStage.IN_REVIEW)


def frame_ancestors(response):
    policy = response.headers["Content-Security-Policy"]
    return next(part for part in policy.split("; ") if part.startswith("frame-ancestors")).split()[1:]


def test_widget_may_be_framed_by_the_configured_portals_only(client, portals):
    response = client.get("/embed/tra-cuu")
    assert frame_ancestors(response) == ["'self'", PORTAL, "https://cong.example.vn"]


@pytest.mark.parametrize("path", ["/tra-cuu", "/kiem-tra", "/tra-cuu/tiep-theo", "/dang-nhap"])
def test_every_other_page_keeps_frame_ancestors_self(client, portals, path):
    assert frame_ancestors(client.get(path)) == ["'self'"]


def test_widget_answers_the_status_and_sets_no_cookie(client, portals, case):
    for response in (client.get("/embed/tra-cuu"), client.post("/embed/tra-cuu", data=lookup(case))):
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert "csrf_token" not in response.get_data(as_text=True)
    body = response.get_data(as_text=True)
    assert "Đang xử lý" in body
    assert 'href="/static/css/embed.css"' in body
    assert response.headers["Cache-Control"] == "no-store"


def test_widget_opens_the_follow_up_in_a_whole_window(client, db):
    case = create_case(CaseStage.INCOMPLETE)
    body = client.post("/embed/tra-cuu", data=lookup(case)).get_data(as_text=True)
    assert 'target="_blank" rel="noopener">Bổ sung hồ sơ' in body


def test_widget_gives_the_same_not_found_for_a_wrong_code_and_a_wrong_fact(client, case):
    wrong_code = client.post("/embed/tra-cuu", data=lookup(case, case_code="HCM-990101-9999"))
    wrong_fact = client.post("/embed/tra-cuu", data=lookup(case, fact="01/01/1970"))
    assert NOT_FOUND in page_text(wrong_code)
    assert (wrong_code.status_code, page_text(wrong_code)) == (wrong_fact.status_code, page_text(wrong_fact))


def test_widget_shows_errors_next_to_the_fields(client, case):
    response = client.post("/embed/tra-cuu", data={"case_code": "", "fact": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="embed-case-code-error">Vui lòng nhập mã hồ sơ.' in body


def test_json_answers_the_same_status(client, case):
    response = client.post(
        "/tra-cuu.json",
        json={"case_code": case.code, "date_of_birth": case.applicant_date_of_birth.isoformat()},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["case_code"] == case.code
    assert (body["stage"], body["stage_label"]) == ("in_review", "Đang xử lý")
    assert body["appointment_date"] == case.due_date.isoformat()
    assert body["status_url"].endswith("/tra-cuu")
    assert case.applicant_full_name not in response.get_data(as_text=True)


def test_json_takes_the_id_number_instead(client, case):
    response = client.post(
        "/tra-cuu.json", json={"case_code": case.code, "id_number": case.applicant_id_number}
    )
    assert response.get_json()["stage"] == "in_review"


def test_json_labels_follow_the_language_chosen_for_the_session(client, case):
    facts = {"case_code": case.code, "id_number": case.applicant_id_number}
    client.get("/ngon-ngu/en")
    english = client.post("/tra-cuu.json", json=facts).get_json()
    client.get("/ngon-ngu/vi")
    vietnamese = client.post("/tra-cuu.json", json=facts).get_json()
    assert english["stage_label"] == "Processing"
    assert vietnamese["stage_label"] == "Đang xử lý"


def test_json_wrong_code_and_wrong_fact_give_the_same_404(client, case):
    wrong_code = client.post(
        "/tra-cuu.json", json={"case_code": "HCM-990101-9999", "id_number": "079090001234"}
    )
    wrong_fact = client.post("/tra-cuu.json", json={"case_code": case.code, "id_number": "079090001235"})
    assert wrong_code.status_code == wrong_fact.status_code == 404
    assert wrong_code.mimetype == "application/problem+json"
    assert wrong_code.data == wrong_fact.data


def test_json_bad_input_is_a_422_naming_each_field(client):
    response = client.post("/tra-cuu.json", json={"case_code": "", "date_of_birth": "17-05-1990"})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert [error["field"] for error in response.get_json()["errors"]] == ["case_code", "date_of_birth"]


def test_json_cors_allows_a_configured_origin(client, portals, case):
    response = client.post(
        "/tra-cuu.json", json={"case_code": case.code, "id_number": "0"}, headers={"Origin": PORTAL}
    )
    assert response.headers["Access-Control-Allow-Origin"] == PORTAL
    assert "Origin" in response.headers["Vary"]


def test_json_cors_ignores_other_origins(client, portals, case):
    response = client.post(
        "/tra-cuu.json", json={"case_code": case.code}, headers={"Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in response.headers


def test_json_preflight_is_answered_for_configured_origins_only(client, portals):
    headers = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    allowed = client.options("/tra-cuu.json", headers={**headers, "Origin": PORTAL})
    other = client.options("/tra-cuu.json", headers={**headers, "Origin": "https://evil.example"})
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == PORTAL
    assert allowed.headers["Access-Control-Allow-Methods"] == "POST"
    assert "content-type" in allowed.headers["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Origin" not in other.headers


def test_json_and_pages_share_the_limit_and_json_gets_a_problem_429(isolated_db):
    was_enabled = limiter.enabled
    try:
        app = isolated_db(RATELIMIT_ENABLED=True, LLTP_EMBED_ORIGINS=(PORTAL,))
        client = app.test_client()
        form = {"case_code": "HCM-990101-0001", "fact": "01/01/1990"}
        statuses = [client.post("/tra-cuu", data=form).status_code for _ in range(5)]
        statuses += [client.post("/embed/tra-cuu", data=form).status_code for _ in range(5)]
        json_answer = client.post(
            "/tra-cuu.json",
            json={"case_code": "HCM-990101-0001", "id_number": "1"},
            headers={"Origin": PORTAL},
        )
        preflight = client.options("/tra-cuu.json", headers={"Origin": PORTAL})
    finally:
        limiter.enabled = was_enabled
    assert statuses == [200] * 10
    assert json_answer.status_code == 429
    assert json_answer.mimetype == "application/problem+json"
    assert json_answer.headers["Access-Control-Allow-Origin"] == PORTAL
    assert preflight.status_code == 204  # a preflight is not a lookup


def test_json_that_is_not_an_object_is_a_422(client):
    response = client.post("/tra-cuu.json", json=["HCM-990101-0001"])
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "body"
