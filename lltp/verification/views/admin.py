"""The administrator's verification settings: the routing rules table and the working days each kind of
question gets."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lltp.accounts.models import Role, UnitKind
from lltp.cases.models import LegalProfile
from lltp.core.errors import ValidationFailed
from lltp.core.permissions import current_actor, requires
from lltp.extensions import db
from lltp.verification import services
from lltp.verification.models import RoutingCondition, RoutingRule, RoutingTarget
from lltp.verification.questions import KIND_LABELS
from lltp.verification.views import bp

ADMINISTRATOR = {"unit_kinds": (UnitKind.ISSUING_AUTHORITY,)}
CONDITION_LABELS = {
    RoutingCondition.EVERY_CASE_IN_PROFILES: _l("Mọi hồ sơ theo các văn bản quy định thời hạn đã chọn"),
    RoutingCondition.RECORD_BEFORE_2010: _l("Có bản án từ trước ngày 01/07/2010"),
    RoutingCondition.MISSING_OUTCOME: _l("Bản án chưa có thông tin chấp hành hình phạt"),
    RoutingCondition.MISSING_ENFORCEMENT: _l("Chưa có thông tin thi hành án phí, tiền phạt, nghĩa vụ dân sự"),
    RoutingCondition.OPEN_PROSECUTION: _l("Có vụ án đang khởi tố chưa có kết quả"),
    RoutingCondition.EXPUNGEMENT_CONDITIONS: _l("Cần xác nhận điều kiện đương nhiên xóa án tích"),
    RoutingCondition.IDENTITY_CONFLICT: _l("Thông tin nhân thân không khớp với cơ sở dữ liệu"),
}
TARGET_LABELS = {
    RoutingTarget.PROVINCIAL_POLICE: _l("Công an cấp tỉnh"),
    RoutingTarget.SENTENCING_COURT: _l("Tòa án đã xét xử (theo bản án)"),
    RoutingTarget.PROCURACY: _l("Viện kiểm sát"),
    RoutingTarget.JUDGMENT_ENFORCEMENT: _l("Cơ quan thi hành án dân sự"),
    RoutingTarget.RESIDENCE_COMMUNE: _l("UBND cấp xã nơi người yêu cầu cư trú"),
    RoutingTarget.POPULATION_REGISTER: _l("Cơ sở dữ liệu quốc gia về dân cư"),
    RoutingTarget.FIXED_UNIT: _l("Một đơn vị cố định"),
}
LABELS = {"condition": CONDITION_LABELS, "kind": KIND_LABELS, "target": TARGET_LABELS}


@bp.get("/quan-tri/xac-minh")
@requires(Role.ADMINISTRATOR, **ADMINISTRATOR)
def admin_rules():
    """The routing rules in the order they apply, and the working days each kind of question gets."""
    rules = db.session.scalars(sa.select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id)).all()
    return render_template(
        "verification/admin_rules.html", rules=rules, kinds=services.kind_settings(), labels=LABELS
    )


def _rule_form(rule):
    """The form's values for an existing rule (blanks for nulls), or a new rule's defaults."""
    if rule is None:
        return {"is_active": True, "position": _next_position(), "profile_codes": []}
    values = {name: getattr(rule, name) for name in services.RULE_FIELDS}
    values["profile_codes"] = values["profile_codes"] or []
    return {name: "" if value is None else value for name, value in values.items()}


def _next_position():
    last = db.session.scalar(sa.select(sa.func.max(RoutingRule.position)))
    return (last or 0) + 1


def _render_rule_form(rule, form, errors=None, status=200):
    return render_template(
        "verification/admin_rule_form.html",
        rule=rule,
        form=form,
        errors=errors or {},
        labels=LABELS,
        units={unit.id: unit.name for unit in services.units_for_manual_task()},
        profiles=db.session.scalars(sa.select(LegalProfile).order_by(LegalProfile.valid_from)).all(),
    ), status


def _rule_page(rule):
    if request.method == "GET":
        return _render_rule_form(rule, _rule_form(rule))
    form = {name: request.form.get(name) for name in services.RULE_FIELDS}
    form["profile_codes"] = request.form.getlist("profile_codes")
    try:
        saved = services.save_routing_rule(rule, form, actor=current_actor())
    except ValidationFailed as failed:
        return _render_rule_form(rule, form, failed.errors, 422)
    db.session.commit()
    flash(
        _(
            "Đã lưu quy tắc «%(name)s». Hồ sơ gửi xác minh từ bây giờ được định tuyến theo quy tắc mới.",
            name=saved.name,
        ),
        "success",
    )
    return redirect(url_for("verification.admin_rules"), 303)


@bp.route("/quan-tri/xac-minh/quy-tac/moi", methods=["GET", "POST"])
@requires(Role.ADMINISTRATOR, **ADMINISTRATOR)
def admin_rule_new():
    """Add a routing rule."""
    return _rule_page(None)


@bp.route("/quan-tri/xac-minh/quy-tac/<int:rule_id>", methods=["GET", "POST"])
@requires(Role.ADMINISTRATOR, **ADMINISTRATOR)
def admin_rule_edit(rule_id):
    """Change a routing rule, or switch it on or off."""
    return _rule_page(db.session.get(RoutingRule, rule_id) or abort(404))


def _render_kinds(settings, form, errors=None, status=200):
    return render_template(
        "verification/admin_kinds.html",
        settings=settings,
        form=form,
        errors=errors or {},
        kind_labels=KIND_LABELS,
        max_days=services.MAX_DUE_WORKING_DAYS,
    ), status


@bp.route("/quan-tri/xac-minh/thoi-han", methods=["GET", "POST"])
@requires(Role.ADMINISTRATOR, **ADMINISTRATOR)
def admin_kinds():
    """The working days a unit has to answer each kind of question."""
    settings = services.kind_settings()
    if request.method == "GET":
        form = {str(setting.kind): setting.due_working_days for setting in settings}
        return _render_kinds(settings, form)
    form = {str(setting.kind): request.form.get(str(setting.kind)) for setting in settings}
    try:
        services.save_kind_days(form, actor=current_actor())
    except ValidationFailed as failed:
        return _render_kinds(settings, form, failed.errors, 422)
    db.session.commit()
    flash(_("Đã lưu thời hạn trả lời. Yêu cầu xác minh tạo từ bây giờ tính hạn theo số ngày mới."), "success")
    return redirect(url_for("verification.admin_rules"), 303)
