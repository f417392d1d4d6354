"""Configuration: production refuses development settings; database URLs are normalised for psycopg 3."""

import pytest

from lltp import config, create_app
from lltp.config import (
    DEV_SECRET_KEY,
    ProductionConfigError,
    TestConfig,
    check_production,
    normalise_database_url,
)

AUTHORITY_VARIABLES = ("LLTP_AUTHORITY_NAME", "LLTP_AUTHORITY_CODE", "LLTP_AUTHORITY_ADDRESS")


@pytest.fixture
def authority_env(monkeypatch):
    monkeypatch.setenv("LLTP_AUTHORITY_NAME", "Sở Tư pháp tỉnh Đồng Nai")
    monkeypatch.setenv("LLTP_AUTHORITY_CODE", "STPDN")
    monkeypatch.setenv("LLTP_AUTHORITY_ADDRESS", "Số 2 đường Nguyễn Văn Trị, phường Trấn Biên, tỉnh Đồng Nai")


def production(**overrides):
    settings = {
        "LLTP_ENV": "production",
        "SECRET_KEY": "k3J9x-2vQm8Lr7Tz0pWc5Yb1Hn6Fs4Dg",
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://lltp@db.internal:5432/lltp",
        "LLTP_ALLOW_SQLITE": False,
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    settings.update(overrides)
    return settings


def refusal(settings):
    with pytest.raises(ProductionConfigError) as raised:
        check_production(settings)
    return str(raised.value)


def test_a_complete_production_config_is_accepted(authority_env):
    check_production(production())


def test_production_refuses_the_development_secret(authority_env):
    assert "SECRET_KEY" in refusal(production(SECRET_KEY=DEV_SECRET_KEY))


def test_production_refuses_a_short_secret(authority_env):
    assert "SECRET_KEY" in refusal(production(SECRET_KEY="short-secret-of-31-characters!!"))


def test_production_refuses_sqlite_unless_allowed(authority_env):
    assert "DATABASE_URL" in refusal(production(SQLALCHEMY_DATABASE_URI="sqlite:////srv/lltp/lltp.sqlite3"))


def test_production_accepts_sqlite_when_allowed(authority_env):
    check_production(
        production(SQLALCHEMY_DATABASE_URI="sqlite:////srv/lltp/lltp.sqlite3", LLTP_ALLOW_SQLITE=True)
    )


def test_production_refuses_a_missing_redis_url(authority_env):
    assert "REDIS_URL" in refusal(production(REDIS_URL=None))


@pytest.mark.parametrize("name", AUTHORITY_VARIABLES)
def test_production_refuses_a_missing_authority_variable(authority_env, monkeypatch, name):
    monkeypatch.delenv(name)
    assert name in refusal(production())


def test_production_lists_every_problem_at_once(monkeypatch):
    for name in AUTHORITY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    message = refusal(production(SECRET_KEY=DEV_SECRET_KEY, REDIS_URL=None))
    assert all(name in message for name in ("SECRET_KEY", "REDIS_URL", *AUTHORITY_VARIABLES))


def test_development_is_not_checked(monkeypatch):
    for name in AUTHORITY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    check_production(production(LLTP_ENV="development", SECRET_KEY=DEV_SECRET_KEY, REDIS_URL=None))


def test_the_app_refuses_to_start_in_production_with_development_settings(authority_env):
    settings = type("Production", (TestConfig,), {"LLTP_ENV": "production", "SECRET_KEY": DEV_SECRET_KEY})
    with pytest.raises(ProductionConfigError):
        create_app(settings)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://lltp:pw@db:5432/lltp", "postgresql+psycopg://lltp:pw@db:5432/lltp"),
        ("postgresql://lltp:pw@db:5432/lltp", "postgresql+psycopg://lltp:pw@db:5432/lltp"),
        ("postgresql+psycopg://lltp@db/lltp", "postgresql+psycopg://lltp@db/lltp"),
        ("sqlite:////srv/lltp/lltp.sqlite3", "sqlite:////srv/lltp/lltp.sqlite3"),
    ],
)
def test_database_urls_are_normalised_to_psycopg_3(given, expected):
    assert normalise_database_url(given) == expected


def test_the_queue_url_prefers_lltp_queue_url_then_redis_url(monkeypatch):
    monkeypatch.setenv("LLTP_QUEUE_URL", "redis://queue:6379/1")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    assert config.queue_url() == "redis://queue:6379/1"
    monkeypatch.delenv("LLTP_QUEUE_URL")
    assert config.queue_url() == "redis://cache:6379/0"


def test_the_queue_defaults_to_a_sqlite_file_under_the_var_directory(monkeypatch):
    monkeypatch.delenv("LLTP_QUEUE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert config.queue_url() == f"sqlite:///{config.VAR_DIR / 'queue.sqlite3'}"
