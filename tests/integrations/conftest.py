"""Fixtures of the API tests: real clients made by the service, their calls, and the contract's example."""

import copy
import json
from pathlib import Path

import pytest

from lltp.accounts import services as account_services
from tests.factories import SYSTEM

CONTRACT_REQUEST = json.loads((Path(__file__).parent / "contract_request.json").read_text())


@pytest.fixture
def contract_request():
    """The request of contracts/intake-api.md, verbatim (submitted 20/11/2026, 09:15 local time)."""
    return copy.deepcopy(CONTRACT_REQUEST)


@pytest.fixture
def honour_submission_times(app, monkeypatch):
    """Let fixed, past `submitted_at` moments count as the submission time, so that codes, received times
    and due dates are the same whenever the suite runs (the real window is 7 days)."""
    monkeypatch.setitem(app.config, "LLTP_API_SUBMITTED_AT_MAX_AGE_DAYS", 100_000)


class Api:
    """One client's calls to /api/v1, with its bearer token."""

    def __init__(self, http, created):
        self.http, self.client, self.token = http, created.client, created.token

    def headers(self):
        return {"Authorization": f"Bearer {self.token}"}

    def submit(self, body):
        return self.http.post("/api/v1/requests", json=body, headers=self.headers())

    def follow(self, case_code):
        return self.http.get(f"/api/v1/requests/{case_code}", headers=self.headers())


@pytest.fixture
def make_api(client, db):
    """`make_api(kind="vneid", name=None)`: a new API client, created by the real service, and its calls."""
    count = 0

    def make(kind="vneid", name=None):
        nonlocal count
        count += 1
        created = account_services.create_api_client(name or f"{kind}-test-{count}", kind=kind, actor=SYSTEM)
        db.session.flush()
        return Api(client, created)

    return make


@pytest.fixture
def api(make_api):
    return make_api()
