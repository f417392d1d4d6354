"""lltp: a province's service for issuing the judicial record certificate (Phiếu lý lịch tư pháp)."""

import logging
import secrets

from flask import Flask, g, render_template, request
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.middleware.proxy_fix import ProxyFix

from lltp import config as config_module
from lltp.core.errors import DomainError
from lltp.core.text import LOCALES, format_date, format_datetime, format_money, format_number, language
from lltp.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate


def create_app(config=None):
    """Build the app: config -> extensions -> blueprints -> errors -> cli."""
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    app.config.from_object(config or config_module.Config)
    config_module.check_production(app.config)
    if app.config["LLTP_PROXY_COUNT"]:
        # Behind nginx: the audit log and the rate limits must see the citizen's address, not the proxy's.
        count = app.config["LLTP_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    logging.basicConfig(level=logging.INFO if app.config["LLTP_ENV"] == "production" else logging.WARNING)

    _init_extensions(app)
    _register_blueprints(app)
    _register_errors(app)
    _register_template_helpers(app)
    _register_security_headers(app)

    from lltp.cli import register_cli

    register_cli(app)
    return app


def _init_extensions(app):
    db.init_app(app)
    migrate.init_app(app, db, directory=str(config_module.BASE_DIR / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=lambda: LOCALES[language()])
    htmx.init_app(app)
    limiter.init_app(app)

    from lltp.core import database

    _import_models()
    with app.app_context():
        database.configure_engine(db.engine)
        app.extensions[database.READER] = database.Reader(database.reading_engine(db.engine))


def _import_models():
    """Every area's models, so the metadata (and Alembic) sees every table."""
    import lltp.accounts.models
    import lltp.cases.models
    import lltp.core.audit
    import lltp.core.calendar
    import lltp.core.outbox
    import lltp.delivery.models
    import lltp.intake.models
    import lltp.issuance.models
    import lltp.records.models
    import lltp.reports.models
    import lltp.status.models
    import lltp.verification.models  # noqa: F401


def _register_blueprints(app):
    from lltp import health
    from lltp.accounts.views import bp as accounts_bp
    from lltp.cases.views import bp as cases_bp
    from lltp.delivery.views import bp as delivery_bp
    from lltp.intake.views import bp as intake_bp
    from lltp.integrations.api import bp as api_bp
    from lltp.integrations.outbox.views import bp as outbox_bp
    from lltp.issuance.views import bp as issuance_bp
    from lltp.records.views import bp as records_bp
    from lltp.reports.views import bp as reports_bp
    from lltp.status.views import bp as status_bp
    from lltp.verification.views import bp as verification_bp

    blueprints = (
        health.bp,
        accounts_bp,
        cases_bp,
        records_bp,
        intake_bp,
        verification_bp,
        issuance_bp,
        delivery_bp,
        status_bp,
        reports_bp,
        api_bp,
        outbox_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    # The JSON API authenticates each call by its bearer token, not by a session cookie: no CSRF to forge.
    csrf.exempt(api_bp)


def _register_errors(app):
    def render_error(status, message):
        db.session.rollback()
        return render_template("errors/error.html", status=status, message=message), status

    @app.errorhandler(DomainError)
    def domain_error(error):
        return render_error(error.status_code, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, "Phiên biểu mẫu đã hết hạn. Vui lòng tải lại trang và thử lại.")

    @app.errorhandler(IntegrityError)
    def integrity_error(error):
        app.logger.warning("integrity error: %s", error)
        return render_error(409, "Dữ liệu vừa được người khác thay đổi. Vui lòng tải lại trang và thử lại.")

    messages = {
        400: "Yêu cầu không hợp lệ.",
        403: "Bạn không có quyền truy cập nội dung này.",
        404: "Không tìm thấy trang hoặc hồ sơ yêu cầu.",
        405: "Phương thức không được hỗ trợ.",
        413: "Nội dung gửi lên quá lớn. Vui lòng gửi tệp nhỏ hơn, hoặc gửi từng tệp một.",
        429: "Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút.",
        500: "Hệ thống gặp lỗi. Vui lòng thử lại hoặc liên hệ quản trị viên.",
    }
    for status, message in messages.items():
        app.register_error_handler(status, lambda error, s=status, m=message: render_error(s, m))


def _register_template_helpers(app):
    app.jinja_env.filters.update(
        date=format_date, datetime=format_datetime, money=format_money, number=format_number
    )
    from lltp.navigation import main_menu

    app.jinja_env.globals.update(
        get_locale=get_locale,
        main_menu=main_menu,
        authority_name=lambda: app.config["LLTP_AUTHORITY_NAME"],
        csp_nonce=lambda: g.get("csp_nonce", ""),
    )


def _register_security_headers(app):
    @app.before_request
    def make_nonce():
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.after_request
    def security_headers(response):
        nonce = g.get("csp_nonce", "")
        # Only the embeddable pages name other origins (the portals allowed to frame them).
        ancestors = g.get("csp_frame_ancestors") or "'self'"
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; object-src 'none'; base-uri 'self'; "
            "form-action 'self'; frame-ancestors " + ancestors,
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.path.startswith(("/ho-so", "/quan-tri", "/ly-lich", "/xac-minh")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
