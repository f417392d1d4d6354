"""Every route, with every role (and no login), as a page and as an htmx fragment.

Each view declares who may use it (`@requires` or `@public`); these tests hold every route to its
declaration: a refusal is a 403 (or the login page for someone not logged in) and shows none of a case's
personal data, and an allowed user is never refused.
"""

import re

import pytest

from lltp.accounts.models import AUTHORITY_ROLES, VERIFYING_UNIT_ROLES, Role, UnitKind
from lltp.cases.models import CaseStage
from tests.conftest import make_app
from tests.factories import create_case, create_unit, create_user

_routes_app = make_app("sqlite://")
ROUTES = sorted(
    (
        (rule.endpoint, rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}), rule.defaults or {})
        for rule in _routes_app.url_map.iter_rules()
        if rule.endpoint != "static"
    ),
    key=lambda route: route[1],
)
VIEWS = _routes_app.view_functions

# Who asks: each role in the issuing authority, and the verifying roles in the provincial police and a court.
PRINCIPALS = [(role, UnitKind.ISSUING_AUTHORITY) for role in sorted(AUTHORITY_ROLES)] + [
    (role, kind)
    for kind in (UnitKind.PROVINCIAL_POLICE, UnitKind.COURT)
    for role in sorted(VERIFYING_UNIT_ROLES)
]

# Routes that admit a whole group and then check the object: the case action route lets every officer of
# the issuing authority in, and the workflow table then refuses an action their role may not take (403);
# matching a case in the record database is refused (403) while the case is not in review.
OBJECT_CHECKED = frozenset({"cases.case_action", "records.record_no_match"})

SECRET_NAME = "ĐOÀN THỊ BÍ MẬT"
SECRET_ID = "079301999888"


def declared_access(endpoint):
    return getattr(VIEWS[endpoint], "access", None)


def is_allowed(access, role, unit_kind):
    if access.get("public"):
        return True
    if access.get("api"):
        # The API authenticates each call by its client's bearer token: a browser login never reaches it.
        return False
    if access["roles"] and role not in access["roles"]:
        return False
    return access["unit_kinds"] is None or unit_kind in access["unit_kinds"]


@pytest.fixture
def objects(db):
    """One of everything a route can point at, so every URL can be built."""
    case = create_case(CaseStage.RECEIVED, applicant_full_name=SECRET_NAME, applicant_id_number=SECRET_ID)
    other_user = create_user(roles=(Role.INTAKE_OFFICER,))
    commune = create_unit(UnitKind.COMMUNE_COMMITTEE)
    return {
        "code": case.code,
        "case_id": case.id,
        "user_id": other_user.id,
        "unit_id": commune.id,
        "lang": "vi",
        "action": "start_review",
        "profile_id": case.legal_profile_id,
        "id": case.legal_profile_id,
        "override_id": 1,
        "rule_id": 1,
        "subsidy_id": 1,
        # Intake: a missing id is a 404 for whoever may see it, after the role check refused the others.
        "attachment_id": 1,
        "paper_id": 1,
        "flag_id": 1,
        "channel": "tai-quay",
        "step": "nguoi-yeu-cau",
        "case_code": case.code,
        # Records: missing ids as well (a 404 once the role check has let the user in).
        "person_id": 1,
        "judgment_id": 1,
        "event_id": 1,
        "merge_id": 1,
        "first_id": 1,
        "second_id": 2,
        # Verification: a missing task as well.
        "task_id": 1,
        # Issuance: missing certificates and decisions as well.
        "certificate_id": 1,
        "decision_id": 1,
        "copy_number": 1,
        # Reports: a chart of the dashboard, and the periodic report's format.
        "chart": "kenh",
        "extension": "xlsx",
        # Delivery: the postal operator's API names a shipment by its tracking number (none such here).
        "tracking_number": "EB000000000VN",
    }


def build_url(rule, objects):
    from flask import url_for

    endpoint, path, _methods, defaults = rule
    arguments = re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", path)
    missing = [name for name in arguments if name not in objects]
    assert not missing, f"test_access does not know how to fill {missing} in {path}: add it to `objects`"
    # A rule's defaults pick it among the rules of one endpoint (two URLs, one view).
    return url_for(endpoint, **defaults, **{name: objects[name] for name in arguments})


def request_route(client, rule, url, *, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    method = "GET" if "GET" in rule[2] else rule[2][0]
    return client.open(url, method=method, headers=headers, data={} if method == "POST" else None)


def assert_refused(response, *, logged_in, api=False):
    if api:
        assert response.status_code == 401, response.status_code
        assert response.mimetype == "application/problem+json"
    elif logged_in:
        assert response.status_code == 403, response.status_code
    else:
        assert response.status_code in (302, 303, 401), response.status_code
        target = response.headers.get("Location") or response.headers.get("HX-Redirect") or ""
        assert "/dang-nhap" in target
    body = response.get_data(as_text=True)
    assert SECRET_NAME not in body
    assert SECRET_ID not in body


@pytest.mark.parametrize("rule", ROUTES, ids=[route[1] for route in ROUTES])
def test_every_route_declares_who_may_use_it(rule):
    access = declared_access(rule[0])
    assert access is not None, f"{rule[1]} has no @requires or @public"


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize(("role", "unit_kind"), PRINCIPALS, ids=[f"{r}@{k}" for r, k in PRINCIPALS])
@pytest.mark.parametrize("rule", ROUTES, ids=[route[1] for route in ROUTES])
def test_route_answers_each_role_as_declared(app, client, login_as, objects, rule, role, unit_kind, htmx):
    access = declared_access(rule[0])
    user = create_user(
        roles=(role,), unit=create_unit(unit_kind) if unit_kind is not UnitKind.ISSUING_AUTHORITY else None
    )
    login_as(user)
    with app.test_request_context():
        url = build_url(rule, objects)
    response = request_route(client, rule, url, htmx=htmx)
    if is_allowed(access, role, unit_kind):
        if response.status_code == 403 and rule[0] in OBJECT_CHECKED:
            assert_refused(response, logged_in=True)
        else:
            assert response.status_code != 403, f"{role} at {unit_kind} was refused {url}"
    else:
        assert_refused(response, logged_in=True, api=access.get("api", False))


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("rule", ROUTES, ids=[route[1] for route in ROUTES])
def test_route_sends_anonymous_users_to_login_unless_public(app, client, objects, rule, htmx):
    access = declared_access(rule[0])
    with app.test_request_context():
        url = build_url(rule, objects)
    response = request_route(client, rule, url, htmx=htmx)
    if access.get("public"):
        assert response.status_code not in (401, 403)
    else:
        assert_refused(response, logged_in=False, api=access.get("api", False))
