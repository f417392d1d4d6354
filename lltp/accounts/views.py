"""Login, logout, language, and the administrator's pages."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from lltp.accounts import services
from lltp.accounts.models import User
from lltp.core.permissions import current_actor, public
from lltp.extensions import db, login_manager

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id):
    return db.session.get(User, int(user_id))


@bp.route("/dang-nhap", methods=["GET", "POST"])
@public
def login():
    """Log in with a username and password."""
    error = None
    if request.method == "POST":
        try:
            user = services.authenticate(
                request.form.get("username"), request.form.get("password"), actor=current_actor()
            )
        except services.LoginRefused as refused:
            error = refused.message
        else:
            services.complete_login(user, actor=current_actor(), method="password")
            db.session.commit()
            login_user(user)
            return redirect(url_for("cases.board"), 303)
        db.session.commit()
    return render_template("accounts/login.html", error=error), 200 if error is None else 401


@bp.post("/dang-xuat")
@public
def logout():
    """Log out."""
    logout_user()
    session.clear()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("accounts.login"), 303)


@bp.get("/ngon-ngu/<lang>")
@public
def set_language(lang):
    """Switch the interface language (Vietnamese by default)."""
    if lang in ("vi", "en"):
        session["lang"] = lang
    target = request.args.get("next") or "/"
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    return redirect(target, 303)
