"""Configuration, read from environment variables only (twelve-factor).

Every variable is listed, with its meaning, in README.md. `LLTP_ENV=production` switches on the checks in
`check_production()`, which refuse to start a production server with development settings.
"""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LLTP_VAR_DIR", BASE_DIR / "var"))

DEV_SECRET_KEY = "dev-only-secret-key-never-use-in-production"


def _env(name, default=None):
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def _env_int(name, default):
    return int(_env(name, default))


def _env_bool(name, default=False):
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url):
    """Accept the common `postgres://` and `postgresql://` spellings and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def queue_url():
    """Where the Huey queue lives: Redis when configured, otherwise a SQLite file under var/."""
    return _env("LLTP_QUEUE_URL") or _env("REDIS_URL") or f"sqlite:///{VAR_DIR / 'queue.sqlite3'}"


class Config:
    LLTP_ENV = _env("LLTP_ENV", "development")
    SECRET_KEY = _env("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        _env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'lltp.sqlite3'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    LLTP_ALLOW_SQLITE = _env_bool("LLTP_ALLOW_SQLITE")
    REDIS_URL = _env("REDIS_URL")
    LLTP_QUEUE_URL = queue_url()
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI") or (
        _env("REDIS_URL") if LLTP_ENV == "production" and _env("REDIS_URL") else "memory://"
    )
    RATELIMIT_HEADERS_ENABLED = True
    LLTP_LOGIN_RATE_LIMIT = _env("LLTP_LOGIN_RATE_LIMIT", "30 per minute")

    # The issuing authority is configuration, never code (domain §1).
    LLTP_AUTHORITY_NAME = _env("LLTP_AUTHORITY_NAME", "Công an Thành phố Hồ Chí Minh")
    LLTP_AUTHORITY_PARENT = _env("LLTP_AUTHORITY_PARENT", "BỘ CÔNG AN")
    LLTP_AUTHORITY_CODE = _env("LLTP_AUTHORITY_CODE", "HCM")
    LLTP_AUTHORITY_ADDRESS = _env(
        "LLTP_AUTHORITY_ADDRESS", "Số 268 đường Trần Hưng Đạo, phường Cầu Ông Lãnh, Thành phố Hồ Chí Minh"
    )
    LLTP_AUTHORITY_SIGNER_TITLE = _env("LLTP_AUTHORITY_SIGNER_TITLE", "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC")
    LLTP_TIMEZONE = _env("LLTP_TIMEZONE", "Asia/Ho_Chi_Minh")
    # Where the public pages are reached from outside: the certificate's QR code leads there.
    LLTP_PUBLIC_BASE_URL = _env("LLTP_PUBLIC_BASE_URL", "http://localhost:5000")
    # How many reverse proxies (nginx) stand in front of the app and set X-Forwarded-*; 0 trusts none.
    LLTP_PROXY_COUNT = _env_int("LLTP_PROXY_COUNT", 0)

    # Intake: uploaded scans live outside the web root; the online form's fee is paid by VietQR transfer.
    LLTP_UPLOAD_DIR = _env("LLTP_UPLOAD_DIR", str(VAR_DIR / "uploads"))
    # Verification tasks' scans, apart from the case files: units never read each other's.
    LLTP_VERIFICATION_UPLOAD_DIR = _env("LLTP_VERIFICATION_UPLOAD_DIR", str(VAR_DIR / "verification"))
    LLTP_UPLOAD_MAX_BYTES = _env_int("LLTP_UPLOAD_MAX_MB", 5) * 1024 * 1024
    MAX_CONTENT_LENGTH = _env_int("LLTP_REQUEST_MAX_MB", 25) * 1024 * 1024
    LLTP_BANK_BIN = _env("LLTP_BANK_BIN", "970415")  # the NAPAS BIN of the authority's bank
    LLTP_BANK_NAME = _env("LLTP_BANK_NAME", "Ngân hàng TMCP Công Thương Việt Nam (VietinBank)")
    LLTP_BANK_ACCOUNT = _env("LLTP_BANK_ACCOUNT", "113000006100")
    LLTP_BANK_ACCOUNT_NAME = _env("LLTP_BANK_ACCOUNT_NAME", "CONG AN THANH PHO HO CHI MINH")
    # The public online form: drafts are kept this long, and a submission faster than this is a bot's.
    LLTP_DRAFT_DAYS = _env_int("LLTP_DRAFT_DAYS", 14)
    LLTP_ONLINE_MIN_SECONDS = _env_int("LLTP_ONLINE_MIN_SECONDS", 5)
    LLTP_ONLINE_RATE_LIMIT = _env("LLTP_ONLINE_RATE_LIMIT", "20 per hour")
    LLTP_API_RATE_LIMIT = _env("LLTP_API_RATE_LIMIT", "6000 per minute")
    # The public certificate check (/kiem-tra): tries per address, so the identity fields cannot be guessed.
    LLTP_CHECK_RATE_LIMIT = _env("LLTP_CHECK_RATE_LIMIT", "10 per minute")
    # The status page (/tra-cuu, its widget and /tra-cuu.json, counted together): tries per address, and
    # per case code, so a known code's second fact cannot be guessed from many addresses.
    LLTP_STATUS_RATE_LIMIT = _env("LLTP_STATUS_RATE_LIMIT", "10 per minute")
    LLTP_STATUS_CODE_RATE_LIMIT = _env("LLTP_STATUS_CODE_RATE_LIMIT", "20 per hour")
    # The portals allowed to frame /embed/tra-cuu and to call /tra-cuu.json from a browser (CORS), as
    # origins separated by spaces or commas ("https://dichvucong.hochiminhcity.gov.vn").
    LLTP_EMBED_ORIGINS = tuple(_env("LLTP_EMBED_ORIGINS", "").replace(",", " ").split())
    # The applicant's one-time codes (download of a Phiếu số 2, follow-up): how long one lasts, how many
    # wrong tries it allows, and how many may be sent for one case.
    LLTP_ONE_TIME_CODE_MINUTES = _env_int("LLTP_ONE_TIME_CODE_MINUTES", 10)
    LLTP_ONE_TIME_CODE_MAX_ATTEMPTS = _env_int("LLTP_ONE_TIME_CODE_MAX_ATTEMPTS", 5)
    LLTP_ONE_TIME_CODE_RATE_LIMIT = _env("LLTP_ONE_TIME_CODE_RATE_LIMIT", "5 per hour")
    # An API request counts from its own `submitted_at` when that is at most this many days old (a delayed
    # push); an older one counts from when it reaches us.
    LLTP_API_SUBMITTED_AT_MAX_AGE_DAYS = _env_int("LLTP_API_SUBMITTED_AT_MAX_AGE_DAYS", 7)

    # Sessions and logins.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", LLTP_ENV == "production")
    LLTP_IDLE_TIMEOUT = timedelta(minutes=_env_int("LLTP_IDLE_TIMEOUT_MINUTES", 30))
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    LLTP_LOGIN_MAX_FAILURES = _env_int("LLTP_LOGIN_MAX_FAILURES", 5)
    LLTP_LOGIN_LOCKOUT = timedelta(minutes=_env_int("LLTP_LOGIN_LOCKOUT_MINUTES", 15))
    LLTP_PASSWORD_MIN_LENGTH = _env_int("LLTP_PASSWORD_MIN_LENGTH", 10)
    LLTP_PASSWORD_HASH_METHOD = "scrypt"

    # The outbox's delivery (design §7). Email goes by SMTP, SMS to an HTTP gateway; with no SMTP host or
    # no gateway URL, outside production, messages are written to the log instead. A failed attempt is
    # tried again after LLTP_OUTBOX_RETRY_SECONDS, doubled each time, until LLTP_OUTBOX_MAX_ATTEMPTS.
    LLTP_SMTP_HOST = _env("LLTP_SMTP_HOST")
    LLTP_SMTP_PORT = _env_int("LLTP_SMTP_PORT", 587)
    LLTP_SMTP_USER = _env("LLTP_SMTP_USER")
    LLTP_SMTP_PASSWORD = _env("LLTP_SMTP_PASSWORD")
    LLTP_SMTP_STARTTLS = _env_bool("LLTP_SMTP_STARTTLS", True)
    LLTP_SMTP_SSL = _env_bool("LLTP_SMTP_SSL")  # implicit TLS (port 465) instead of STARTTLS
    LLTP_SMTP_FROM = _env("LLTP_SMTP_FROM", "lltp@localhost")
    LLTP_SMS_GATEWAY_URL = _env("LLTP_SMS_GATEWAY_URL")
    LLTP_SMS_GATEWAY_TOKEN = _env("LLTP_SMS_GATEWAY_TOKEN")
    LLTP_OUTBOX_MAX_ATTEMPTS = _env_int("LLTP_OUTBOX_MAX_ATTEMPTS", 8)
    # Also how long an attempt holds its message: keep it well above the delivery timeout.
    LLTP_OUTBOX_RETRY_SECONDS = _env_int("LLTP_OUTBOX_RETRY_SECONDS", 60)
    # A message is given up only once it has had its attempts and is older than this: the contract retries
    # callbacks for at least 24 hours.
    LLTP_OUTBOX_RETRY_WINDOW_HOURS = _env_int("LLTP_OUTBOX_RETRY_WINDOW_HOURS", 48)
    LLTP_DELIVERY_TIMEOUT_SECONDS = float(_env("LLTP_DELIVERY_TIMEOUT_SECONDS", 10))

    # How long the dashboard's figures are reused for its chart images (and a reload), in seconds.
    LLTP_REPORT_CACHE_SECONDS = _env_int("LLTP_REPORT_CACHE_SECONDS", 60)

    # The board.
    LLTP_BOARD_PAGE_SIZE = _env_int("LLTP_BOARD_PAGE_SIZE", 50)
    LLTP_BOARD_REFRESH_SECONDS = _env_int("LLTP_BOARD_REFRESH_SECONDS", 30)

    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = LLTP_TIMEZONE
    LLTP_LANGUAGES = ("vi", "en")
    WTF_CSRF_TIME_LIMIT = None
    TESTING = False


class TestConfig(Config):
    LLTP_ENV = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    # Thousands of test users: a cheap hash keeps the suite fast; production keeps scrypt.
    LLTP_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    # Each test counts its own cases: figures kept from another test's would be wrong.
    LLTP_REPORT_CACHE_SECONDS = 0
    SQLALCHEMY_DATABASE_URI = normalise_database_url(_env("DATABASE_URL", "sqlite://"))
    SERVER_NAME = None


class ProductionConfigError(RuntimeError):
    """Raised at start-up when a production deployment still has development settings."""


def check_production(config):
    """Refuse to run in production with a development secret, SQLite (unless allowed) or no Redis."""
    if config.get("LLTP_ENV") != "production":
        return
    problems = []
    secret = config.get("SECRET_KEY") or ""
    if secret == DEV_SECRET_KEY or len(secret) < 32:
        problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and not config.get("LLTP_ALLOW_SQLITE"):
        problems.append("DATABASE_URL must point to PostgreSQL (or set LLTP_ALLOW_SQLITE=1)")
    if not config.get("REDIS_URL"):
        problems.append("REDIS_URL must be set: the job queue and the rate limits use Redis")
    for name in ("LLTP_AUTHORITY_NAME", "LLTP_AUTHORITY_CODE", "LLTP_AUTHORITY_ADDRESS"):
        if not os.environ.get(name):
            problems.append(f"{name} must be set explicitly in production")
    if problems:
        raise ProductionConfigError("Refusing to start in production: " + "; ".join(problems))
