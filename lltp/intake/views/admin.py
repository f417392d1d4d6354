"""The administrator's fee schedule: the dated rates and the local subsidies, and which rate applies today."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from lltp.accounts.models import Role, UnitKind
from lltp.cases.forms import CHANNEL_LABELS
from lltp.cases.models import Channel
from lltp.core import clock
from lltp.core.errors import ValidationFailed
from lltp.core.permissions import current_actor, requires
from lltp.core.text import format_date, format_number
from lltp.extensions import db
from lltp.intake import fees, forms
from lltp.intake.models import FeeCategory, FeeRule, FeeSubsidy
from lltp.intake.views import bp

ADMINISTRATOR = {"unit_kinds": (UnitKind.ISSUING_AUTHORITY,)}
# The page shows today's rate for the counter and for the online form, the two channels most asked about.
TODAY_CHANNELS = (Channel.COUNTER, Channel.ONLINE)


def _today_rates(rules):
    """For each category and channel of TODAY_CHANNELS, today's quote for one certificate (None: no rule)."""
    names = {rule.code: rule.name for rule in rules}
    today = clock.today()
    rows = []
    for category, label in forms.FEE_CATEGORY_CHOICES:
        cells = []
        for channel in TODAY_CHANNELS:
            try:
                quote = fees.fee_for(
                    category=category,
                    channel=channel,
                    day=today,
                    copies=1,
                    authority_code=current_app.config["LLTP_AUTHORITY_CODE"],
                )
            except fees.NoFeeRule:
                quote = None
            cells.append({"quote": quote, "rule_name": quote and names.get(quote.rule_code)})
        rows.append({"label": label, "cells": cells})
    return {"day": today, "channels": TODAY_CHANNELS, "rows": rows}


@bp.get("/quan-tri/le-phi")
@requires(Role.ADMINISTRATOR, **ADMINISTRATOR)
def admin_fees():
    """The fee schedule: the dated rates, the local subsidies, and the rate that applies today."""
    rules = fees.fee_rules()
    return render_template(
        "intake/admin_fees.html",
        rules=rules,
        subsidies=fees.fee_subsidies(),
        today=_today_rates(rules),
        channel_names=CHANNEL_LABELS,
        category_names=forms.FEE_CATEGORY_LABELS,
    )


def _edit_form(row, names):
    """The form's values for an existing rule or subsidy: dates as dd/mm/yyyy, blanks for nulls."""
    if row is None:
        return {"channels": [], "included_copies": 2, "category": FeeCategory.STANDARD}
    values = {name: getattr(row, name) for name in names}
    names = set(names)
    for name in ("valid_from", "valid_to"):
        values[name] = format_date(values[name])
    for name in names & {"amount", "extra_copy_amount"}:
        values[name] = format_number(values[name])
    values["channels"] = values["channels"] or []
    return {name: "" if value is None else value for name, value in values.items()}


def _posted(names):
    form = {name: request.form.get(name, "") for name in names}
    form["channels"] = request.form.getlist("channels")
    return form


def _render(template, row, form, errors=None, status=200):
    return render_template(
        template,
        row=row,
        form=form,
        errors=errors or {},
        channel_names=CHANNEL_LABELS,
        category_choices=forms.FEE_CATEGORY_CHOICES,
    ), status


def _save(row, *, names, service, template, message):
    form = _posted(names)
    try:
        saved = service(row, form, actor=current_actor())
    except ValidationFailed as failed:
        return _render(template, row, form, failed.errors, 422)
    db.session.commit()
    flash(message % {"name": saved.name}, "success")
    return redirect(url_for("intake.admin_fees"), 303)


def _rule_page(rule):
    if request.method == "POST":
        return _save(
            rule,
            names=fees.RULE_FIELDS,
            service=fees.save_fee_rule,
            template="intake/admin_fee_rule_form.html",
            message=_("Đã lưu mức thu «%(name)s». Hồ sơ tiếp nhận từ bây giờ tính lệ phí theo biểu mới."),
        )
    return _render("intake/admin_fee_rule_form.html", rule, _edit_form(rule, fees.RULE_FIELDS))


def _subsidy_page(subsidy):
    if request.method == "POST":
        return _save(
            subsidy,
            names=fees.SUBSIDY_FIELDS,
            service=fees.save_fee_subsidy,
            template="intake/admin_fee_subsidy_form.html",
            message=_(
                "Đã lưu khoản hỗ trợ «%(name)s». Hồ sơ tiếp nhận từ bây giờ tính lệ phí theo biểu mới."
            ),
        )
    return _render("intake/admin_fee_subsidy_form.html", subsidy, _edit_form(subsidy, fees.SUBSIDY_FIELDS))


@bp.route("/quan-tri/le-phi/muc-thu/moi", methods=["GET", "POST"])
@requires(Role.ADMINISTRATOR, **ADMINISTRATOR)
def admin_fee_rule_new():
    """Add a rate to the fee schedule."""
    return _rule_page(None)


@bp.route("/quan-tri/le-phi/muc-thu/<int:rule_id>", methods=["GET", "POST"])
@requires(Role.ADMINISTRATOR, **ADMINISTRATOR)
def admin_fee_rule_edit(rule_id):
    """Change a rate of the fee schedule."""
    return _rule_page(db.session.get(FeeRule, rule_id) or abort(404))


@bp.route("/quan-tri/le-phi/ho-tro/moi", methods=["GET", "POST"])
@requires(Role.ADMINISTRATOR, **ADMINISTRATOR)
def admin_fee_subsidy_new():
    """Add a local subsidy of the fee."""
    return _subsidy_page(None)


@bp.route("/quan-tri/le-phi/ho-tro/<int:subsidy_id>", methods=["GET", "POST"])
@requires(Role.ADMINISTRATOR, **ADMINISTRATOR)
def admin_fee_subsidy_edit(subsidy_id):
    """Change a local subsidy of the fee."""
    return _subsidy_page(db.session.get(FeeSubsidy, subsidy_id) or abort(404))
