"""The administrator's signing keys: the approvers' own keys and the authority's seal, registered by the
path of their PKCS#12 file on the server and its password."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lltp.accounts.models import Role, UnitKind, User, UserRole
from lltp.core.errors import ValidationFailed
from lltp.core.permissions import current_actor, requires
from lltp.extensions import db
from lltp.issuance import keys
from lltp.issuance.models import SigningKeyKind
from lltp.issuance.views import bp

ADMINISTRATOR = {"unit_kinds": (UnitKind.ISSUING_AUTHORITY,)}
KIND_LABELS = {
    SigningKeyKind.APPROVER: _l("Khóa ký của người phê duyệt"),
    SigningKeyKind.SEAL: _l("Con dấu điện tử của cơ quan"),
}
FIELDS = ("kind", "user_id", "label", "path")


def _approvers():
    """The approvers a key may belong to, by id, with their name and username."""
    users = db.session.scalars(
        sa.select(User)
        .join(UserRole)
        .where(UserRole.role == Role.APPROVER, User.is_active_account.is_(True))
        .order_by(User.full_name, User.username)
    ).all()
    return {str(user.id): f"{user.full_name} ({user.username})" for user in users}


def _render(form, errors=None, status=200):
    return render_template(
        "issuance/admin_signing_keys.html",
        signing_keys=keys.all_keys(),
        kind_labels=KIND_LABELS,
        approvers=_approvers(),
        form=form,
        errors=errors or {},
    ), status


@bp.route("/quan-tri/khoa-ky-so", methods=["GET", "POST"])
@requires(Role.ADMINISTRATOR, **ADMINISTRATOR)
def signing_keys():
    """The registered signing keys, and the form that registers one (it replaces the owner's earlier key)."""
    if request.method == "GET":
        return _render({"kind": str(SigningKeyKind.APPROVER)})
    form = {name: request.form.get(name, "") for name in FIELDS}
    user = db.session.get(User, int(form["user_id"])) if form["user_id"].isdigit() else None
    try:
        signing_key = keys.register_signing_key(
            kind=form["kind"],
            path=form["path"],
            password=request.form.get("password", ""),
            user=user,
            label=form["label"],
            actor=current_actor(),
        )
    except ValidationFailed as failed:
        return _render(form, failed.errors, 422)
    db.session.commit()
    flash(
        _("Đã đăng ký khóa «%(label)s» (%(subject)s).", label=signing_key.label, subject=signing_key.subject),
        "success",
    )
    return redirect(url_for("issuance.signing_keys"), 303)
