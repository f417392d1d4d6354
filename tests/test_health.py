"""`GET /healthz`: 200 when the database and the job queue answer, 503 naming whichever does not."""

import pytest
import redis

from lltp.core import queue
from lltp.core.queue import make_huey
from tests.conftest import make_app, need_server

UNREACHABLE_REDIS = "redis://127.0.0.1:1"
TEST_REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def unreachable_queue():
    huey = make_huey(UNREACHABLE_REDIS)
    yield huey
    huey.storage.conn.connection_pool.disconnect()


def test_healthz_is_ok_when_the_database_and_queue_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["queue"]["ok"] is True


def test_healthz_is_never_cached(client):
    assert client.get("/healthz").headers["Cache-Control"] == "no-store"


def test_queue_check_reports_an_unreachable_redis(unreachable_queue):
    result = queue.check(unreachable_queue)
    assert result == {"ok": False, "backend": "RedisHuey", "error": "ConnectionError"}


def test_healthz_is_503_naming_the_queue_when_it_is_unreachable(client, monkeypatch, unreachable_queue):
    # The app reads its queue from the module, as the worker does: point both at a dead Redis.
    monkeypatch.setattr(queue, "huey", unreachable_queue)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["queue"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_healthz_is_503_naming_the_database_when_it_is_unreachable():
    app = make_app("sqlite:////nonexistent-lltp-directory/lltp.sqlite3")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert body["checks"]["queue"]["ok"] is True


def test_queue_check_is_ok_on_redis():
    huey = make_huey(TEST_REDIS)
    try:
        huey.storage.conn.ping()
    except redis.ConnectionError as error:
        need_server(f"Redis is not reachable at {TEST_REDIS}: {error}")
    try:
        result = queue.check(huey)
    finally:
        huey.storage.conn.connection_pool.disconnect()
    assert result == {"ok": True, "backend": "RedisHuey", "pending": result["pending"]}
    assert isinstance(result["pending"], int)
