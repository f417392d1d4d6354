"""Login, logout, the second factor, the session guard, the user's own account page and the language."""

from urllib.parse import urlsplit

import segno
from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup

from lltp.accounts import services
from lltp.accounts.forms import (
    ROLE_LABELS,
    ChangePasswordForm,
    CodeForm,
    LoginForm,
    RecoveryCodesForm,
)
from lltp.accounts.models import User
from lltp.accounts.views import bp
from lltp.core import clock
from lltp.core.audit import Actor
from lltp.core.errors import ValidationFailed
from lltp.core.htmx import is_htmx, is_poll
from lltp.core.permissions import current_actor, public, requires
from lltp.extensions import db, limiter, login_manager
from lltp.navigation import main_menu

login_manager.login_view = "accounts.login"

# A password checked but a second factor not yet given is good for this long.
PENDING_LOGIN_SECONDS = 300
# Reachable whatever the session still owes (a password change, an enrolment).
ALWAYS_OPEN_ENDPOINTS = frozenset({"static", "accounts.logout", "accounts.set_language"})
PASSWORD_CHANGE_ENDPOINTS = frozenset({"accounts.account", "accounts.change_password"})

login_rate_limit = limiter.shared_limit(
    lambda: current_app.config["LLTP_LOGIN_RATE_LIMIT"], scope="login", methods=["POST"]
)


@login_manager.user_loader
def load_user(user_id):
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.is_active else None


# --- sessions ------------------------------------------------------------------------------------


def _safe_next(target):
    """`target` if it is a path on this site, else None: never send a user to another site."""
    target = (target or "").strip()
    parts = urlsplit(target)
    if (
        not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or parts.scheme
        or parts.netloc
    ):
        return None
    return target


def _here():
    """The current page, to come back to after logging in (plain page loads only)."""
    if request.method != "GET" or is_htmx():
        return None
    return request.full_path.rstrip("?")


def _send_to(url):
    """Redirect; an htmx request gets 401 and HX-Redirect, so the whole page moves, not a fragment."""
    if is_htmx():
        response = make_response("", 401)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


def _clear_session():
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _log_in(user):
    _clear_session()
    login_user(user)
    session["seen_at"] = clock.now().timestamp()
    session["auth_stamp"] = services.session_stamp(user)


def _landing(next_url=None):
    """Where a user goes after logging in: a password change if due, the asked-for page, or their first
    menu entry."""
    if current_user.must_change_password:
        return url_for("accounts.account")
    return _safe_next(next_url) or main_menu()[0]["url"]


def _end_session(user, message, reason):
    services.record_logout(user, actor=current_actor(), reason=reason)
    db.session.commit()
    here = _here()
    logout_user()
    _clear_session()
    flash(message, "info")
    return _send_to(url_for("accounts.login", next=here))


@login_manager.unauthorized_handler
def send_to_login():
    flash(_("Vui lòng đăng nhập để tiếp tục."), "info")
    return _send_to(url_for("accounts.login", next=_here()))


@bp.before_app_request
def guard_session():
    """End stale sessions (idle too long, or credentials changed since) and hold a user to what their
    session still owes: a second factor to enrol, a password to change."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    user = current_user._get_current_object()
    stamp = session.get("auth_stamp")
    if stamp != services.session_stamp(user):
        return _end_session(
            user, _("Thông tin đăng nhập của tài khoản đã thay đổi. Vui lòng đăng nhập lại."), "revoked"
        )
    now = clock.now().timestamp()
    idle = current_app.config["LLTP_IDLE_TIMEOUT"]
    seen_at = session.get("seen_at")
    if seen_at is None or now - seen_at > idle.total_seconds():
        message = _(
            "Phiên làm việc đã hết hạn do không hoạt động quá %(n)d phút. Vui lòng đăng nhập lại.",
            n=idle.total_seconds() // 60,
        )
        return _end_session(user, message, "idle")
    if not is_poll():  # an open board polling in the background is not the officer at work
        session["seen_at"] = now
    if request.endpoint in ALWAYS_OPEN_ENDPOINTS:
        return None
    if user.needs_two_factor and not user.has_two_factor and request.endpoint != "accounts.enrol_totp":
        return _send_to(url_for("accounts.enrol_totp"))
    if user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        flash(_("Bạn cần đổi mật khẩu trước khi tiếp tục."), "info")
        return _send_to(url_for("accounts.account"))
    return None


def _begin_pending_login(user, next_url):
    _clear_session()
    session["pending_login"] = {
        "user_id": user.id,
        "at": clock.now().timestamp(),
        "next": _safe_next(next_url),
    }


def _pending_login():
    """(user, next) of a login waiting on its second factor, or (None, None) when there is none or it
    has expired."""
    pending = session.get("pending_login")
    if not pending or clock.now().timestamp() - pending["at"] > PENDING_LOGIN_SECONDS:
        session.pop("pending_login", None)
        return None, None
    user = db.session.get(User, pending["user_id"])
    if user is None or not user.is_active:
        return None, None
    return user, pending["next"]


def _actor_for(user):
    return Actor(user=user, ip=request.remote_addr, user_agent=request.headers.get("User-Agent"))


# --- login and logout ----------------------------------------------------------------------------


@bp.route("/dang-nhap", methods=["GET", "POST"])
@login_rate_limit
@public
def login():
    """Log in with a username and password; a second step follows for the second factor."""
    form = LoginForm(request.form if request.method == "POST" else request.args)
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(_landing(form.next.data), 303)
        return render_template("accounts/login.html", form=form)
    try:
        result = services.sign_in(form.username.data, form.password.data, actor=current_actor())
    except services.LoginRefused as refused:
        db.session.commit()
        return render_template("accounts/login.html", form=form, error=refused.message), 401
    db.session.commit()
    if result.step == "done":
        _log_in(result.user)
        return redirect(_landing(form.next.data), 303)
    _begin_pending_login(result.user, form.next.data)
    return redirect(url_for("accounts.login_totp" if result.step == "totp" else "accounts.enrol_totp"), 303)


@bp.route("/dang-nhap/ma-xac-thuc", methods=["GET", "POST"])
@login_rate_limit
@public
def login_totp():
    """The second step of a login: a code from the authenticator app, or a recovery code."""
    user, next_url = _pending_login()
    if user is None:
        flash(_("Vui lòng đăng nhập lại."), "info")
        return redirect(url_for("accounts.login"), 303)
    if not user.has_two_factor:
        return redirect(url_for("accounts.enrol_totp"), 303)
    form = CodeForm(request.form)
    if request.method == "POST":
        try:
            services.complete_second_factor(user, form.code.data, actor=current_actor())
        except services.LoginRefused as refused:
            db.session.commit()
            return render_template("accounts/login_totp.html", form=form, error=refused.message), 401
        db.session.commit()
        _log_in(user)
        return redirect(_landing(next_url), 303)
    return render_template("accounts/login_totp.html", form=form)


@bp.route("/xac-thuc-hai-buoc", methods=["GET", "POST"])
@login_rate_limit
@public
def enrol_totp():
    """Switch on the second factor: scan the QR code, confirm with a code, keep the recovery codes."""
    if current_user.is_authenticated:
        user, next_url, pending = current_user._get_current_object(), None, False
    else:
        (user, next_url), pending = _pending_login(), True
    if user is None:
        flash(_("Vui lòng đăng nhập lại."), "info")
        return redirect(url_for("accounts.login"), 303)
    if user.has_two_factor:
        return redirect(url_for("accounts.login_totp" if pending else "accounts.account"), 303)
    form = CodeForm(request.form)
    if request.method == "POST":
        try:
            codes = services.confirm_totp_enrolment(
                user, form.code.data, actor=_actor_for(user), completing_login=pending
            )
        except ValidationFailed as failed:
            return _render_enrolment(user, form, failed.errors), 422
        db.session.commit()
        if pending:
            _log_in(user)
        else:
            session["auth_stamp"] = services.session_stamp(user)
        return render_template(
            "accounts/recovery_codes.html", codes=codes, continue_url=_landing(next_url), just_enrolled=True
        )
    services.start_totp_enrolment(user, actor=_actor_for(user))
    db.session.commit()
    return _render_enrolment(user, form, {})


def _render_enrolment(user, form, errors):
    qr = segno.make(services.totp_uri(user), error="m")
    svg = qr.svg_inline(scale=5, border=2, title=_("Mã QR để thêm tài khoản vào ứng dụng xác thực"))
    return render_template(
        "accounts/enrol_totp.html", form=form, errors=errors, secret=user.totp_secret, qr_svg=Markup(svg)
    )


@bp.post("/dang-xuat")
@public
def logout():
    """Log out."""
    if current_user.is_authenticated:
        services.record_logout(current_user._get_current_object(), actor=current_actor(), reason="logout")
        db.session.commit()
    logout_user()
    _clear_session()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("accounts.login"), 303)


@bp.get("/ngon-ngu/<lang>")
@public
def set_language(lang):
    """Switch the interface language (Vietnamese by default)."""
    if lang in current_app.config["LLTP_LANGUAGES"]:
        session["lang"] = lang
    return redirect(_safe_next(request.args.get("next")) or "/", 303)


# --- the user's own account ----------------------------------------------------------------------


def _render_account(errors=None, password_form=None, recovery_form=None, status=200):
    user = current_user._get_current_object()
    page = render_template(
        "accounts/account.html",
        user=user,
        errors=errors or {},
        password_form=password_form or ChangePasswordForm(),
        recovery_form=recovery_form or RecoveryCodesForm(),
        recovery_codes_left=services.unused_recovery_codes(user),
        role_labels=ROLE_LABELS,
    )
    return page, status


@bp.get("/tai-khoan")
@requires()
def account():
    """The user's account: details, password change and the second factor."""
    return _render_account()


@bp.post("/tai-khoan/mat-khau")
@requires()
def change_password():
    """Change one's own password."""
    user = current_user._get_current_object()
    form = ChangePasswordForm(request.form)
    was_forced = user.must_change_password
    try:
        services.change_password(
            user,
            current_password=form.current_password.data,
            new_password=form.new_password.data,
            confirm_password=form.confirm_password.data,
            actor=current_actor(),
        )
    except ValidationFailed as failed:
        return _render_account(errors=failed.errors, password_form=form, status=422)
    db.session.commit()
    session["auth_stamp"] = services.session_stamp(user)
    flash(_("Đã đổi mật khẩu."), "success")
    return redirect(_landing() if was_forced else url_for("accounts.account"), 303)


@bp.post("/tai-khoan/ma-khoi-phuc")
@requires()
def regenerate_recovery_codes():
    """Replace one's recovery codes with new ones, shown once."""
    form = RecoveryCodesForm(request.form)
    try:
        codes = services.regenerate_recovery_codes(
            current_user._get_current_object(), password=form.recovery_password.data, actor=current_actor()
        )
    except ValidationFailed as failed:
        return _render_account(errors=failed.errors, recovery_form=form, status=422)
    db.session.commit()
    return render_template(
        "accounts/recovery_codes.html", codes=codes, continue_url=url_for("accounts.account")
    )
