"""The case page's certificate panel. In drafting, the processing officer reads the draft beside the
verification answers, changes what the law leaves to the officer (each change with its reason) and sends it
for signature; the approver then reads what was sent, next to the record panel's explanation, and returns it
with a reason or approves and signs it. Once issued, the panel names the certificate.

Only the issuing authority's processing officers and approvers see it: a Phiếu số 2's content is never shown
outside the authority (design §4).
"""

from datetime import date

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lltp.accounts.models import Role, UnitKind
from lltp.cases import panels
from lltp.cases.models import CaseStage
from lltp.cases.workflow import may_take
from lltp.core import audit
from lltp.core.errors import ValidationFailed
from lltp.core.permissions import current_actor, requires
from lltp.core.text import format_date
from lltp.issuance import content, decisions, queries, services
from lltp.issuance.views import bp
from lltp.issuance.views.certificates import CERTIFICATE_READERS
from lltp.records import casework
from lltp.verification import forms as verification_forms
from lltp.verification import questions
from lltp.verification import services as verification_services
from lltp.verification.models import TaskStatus

AUTHORITY = (UnitKind.ISSUING_AUTHORITY,)
READERS = (Role.PROCESSING_OFFICER, Role.APPROVER)
ANCHOR = "draft-panel"
DRAFT_STAGES = frozenset({CaseStage.DRAFTING, CaseStage.AWAITING_SIGNATURE})
ISSUED_STAGES = frozenset({CaseStage.ISSUED, CaseStage.RETURNED})
# The workflow buttons this panel's own forms stand in for: approving must number and sign.
PANEL_ACTIONS = ("submit_for_signature", "return_draft", "approve")
IDENTITY_LABELS = {
    "full_name": _l("Họ và tên"),
    "other_names": _l("Tên gọi khác"),
    "sex": _l("Giới tính"),
    "date_of_birth": _l("Ngày, tháng, năm sinh"),
    "place_of_birth": _l("Nơi sinh"),
    "nationality": _l("Quốc tịch"),
    "residence": _l("Nơi cư trú"),
    "id_number": _l("Số định danh cá nhân"),
    "father_name": _l("Họ và tên cha"),
    "mother_name": _l("Họ và tên mẹ"),
    "spouse_name": _l("Họ và tên vợ hoặc chồng"),
}


def _day(iso):
    return format_date(date.fromisoformat(iso)) if iso else ""


def _text(value):
    if isinstance(value, list):
        return ", ".join(value)
    return value or ""


def field_label(field):
    """The label of a snapshot field, as the edit log names it."""
    return IDENTITY_LABELS.get(field.removeprefix("person."), _l("Ghi chú"))


def _identity(snapshot):
    """The identity items in the certificate's order, with their text and whether the officer may edit."""
    rows = []
    for key, label in IDENTITY_LABELS.items():
        if key not in snapshot["person"]:
            continue
        value = snapshot["person"][key]
        rows.append(
            {
                "field": f"person.{key}",
                "form": f"draft-edit-person-{key}",
                "label": label,
                "text": _day(value) if key == "date_of_birth" else _text(value),
                "editable": f"person.{key}" in content.EDITABLE_FIELDS,
            }
        )
    return rows


def _conviction(conviction):
    return {
        **conviction,
        "judgment_date": _day(conviction.get("judgment_date")),
        "expunged_on": _day(conviction.get("expunged_on")),
    }


def _ban(ban):
    return {
        **ban,
        "decided_on": _day(ban.get("decided_on")),
        "starts_on": _day(ban.get("starts_on")),
        "ends_on": _day(ban.get("ends_on")),
    }


def _answers(case, actor):
    """The verification answers the draft rests on; showing them is a read of the person's data."""
    answered = [task for task in verification_services.case_tasks(case) if task.status is TaskStatus.ANSWERED]
    for task in answered:
        verification_services.audit_read(task, actor=actor, what="answer")
    return [
        {
            "task": task,
            "kind": questions.KIND_LABELS[task.kind],
            "answer": verification_forms.answer_view(task),
        }
        for task in answered
    ]


def draft_panel(case, user):
    """The draft with its edits and the forms of the stage, or the certificate once issued."""
    if not user.is_authority_officer:
        return None
    if case.stage in ISSUED_STAGES and user.has_role(*CERTIFICATE_READERS):
        certificate = queries.certificate_of(case)
        if certificate is None:
            return None
        return {
            "certificate": certificate,
            "status": decisions.STATUS_LABELS[certificate.status],
            "may_decide": user.has_role(Role.APPROVER),
        }
    if not user.has_role(*READERS):
        return None
    if case.stage not in DRAFT_STAGES:
        return None
    actor = current_actor()
    draft = queries.draft_of(case)
    snapshot = queries.current_content(case, draft)
    audit.record("issuance.draft_viewed", actor, object_type="case", object_id=case.code, case_id=case.id)
    drafting = case.stage is CaseStage.DRAFTING
    returned = next((event for event in reversed(case.events) if event.action == "return_draft"), None)
    return {
        "drafting": drafting,
        "snapshot": snapshot,
        "identity": _identity(snapshot),
        "convictions": [_conviction(c) for c in snapshot["convictions"]],
        "bans": [_ban(b) for b in snapshot["bans"]],
        "as_of": _day(snapshot["as_of"]),
        "edits": [
            {
                **edit,
                "label": field_label(edit["field"]),
                "before": _text(edit["before"]),
                "after": _text(edit["after"]),
            }
            for edit in (draft.edits if draft else [])
        ],
        "returned": returned if drafting else None,
        "no_match": casework.current_match(case) is None,
        "answers": _answers(case, actor) if drafting else [],
        "may_edit": drafting and user.has_role(Role.PROCESSING_OFFICER),
        "may_submit": may_take(user, case.stage, "submit_for_signature"),
        "may_return": may_take(user, case.stage, "return_draft"),
        "may_sign": may_take(user, case.stage, "approve"),
        "has_two_factor": user.has_two_factor,
        "replaces": PANEL_ACTIONS,
    }


panels.register(panels.Panel("issuance/case/_draft.html", draft_panel, order=7))


def _on_draft(code, form, act, message, values=None):
    """Take one panel action `act(case)`: a refusal shows `form` with its errors, a success goes back."""
    case = panels.case_or_404(code)
    try:
        result = act(case)
    except ValidationFailed as failed:
        return panels.refuse(case, form, failed, values or {})
    return panels.done(case, message(result) if callable(message) else message, anchor=ANCHOR)


@bp.post("/ho-so/<code>/du-thao/sua")
@requires(Role.PROCESSING_OFFICER, unit_kinds=AUTHORITY)
def edit_draft(code):
    """The processing officer changes one item of the draft, with the reason."""
    field = request.form.get("field", "")
    values = {"value": request.form.get("value", ""), "reason": request.form.get("reason", "")}
    return _on_draft(
        code,
        "draft-edit-" + field.replace(".", "-"),
        lambda case: services.edit_draft(
            case, field, values["value"], reason=values["reason"], actor=current_actor()
        ),
        _("Đã sửa dự thảo Phiếu."),
        values,
    )


@bp.post("/ho-so/<code>/du-thao/trinh-ky")
@requires(Role.PROCESSING_OFFICER, unit_kinds=AUTHORITY)
def submit_for_signature(code):
    """The processing officer sends the draft to the approver."""
    return _on_draft(
        code,
        "draft-submit",
        lambda case: services.submit_for_signature(case, actor=current_actor()),
        _("Đã trình ký dự thảo Phiếu."),
    )


@bp.post("/ho-so/<code>/du-thao/tra-lai")
@requires(Role.APPROVER, unit_kinds=AUTHORITY)
def return_draft(code):
    """The approver returns the draft to the processing officer, with the reason."""
    reason = request.form.get("reason", "")
    return _on_draft(
        code,
        "draft-return",
        lambda case: services.return_draft(case, reason=reason, actor=current_actor()),
        _("Đã trả lại dự thảo cho cán bộ xử lý."),
        {"reason": reason},
    )


@bp.post("/ho-so/<code>/du-thao/phe-duyet")
@requires(Role.APPROVER, unit_kinds=AUTHORITY)
def approve(code):
    """The approver approves and signs: the certificate gets its number and its signed PDF."""
    return _on_draft(
        code,
        "draft-approve",
        lambda case: services.approve(case, actor=current_actor()),
        lambda certificate: _("Đã phê duyệt và ký Phiếu số %(number)s.", number=certificate.number),
    )
