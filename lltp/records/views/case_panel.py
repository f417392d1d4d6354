"""The case page's record panel: the ranked candidates and the officer's pick or "no match" at
`in_review`, then what the certificate would say, the engine's explanation and the officer's overrides.

Only the issuing authority's processing officers and approvers see it: the content of a Phiếu số 2 is
never shown outside the authority (design §4).
"""

from flask import abort, request
from flask_babel import gettext as _

from lltp.accounts.models import Role, UnitKind
from lltp.cases import panels
from lltp.core.errors import ValidationFailed
from lltp.core.permissions import current_actor, requires
from lltp.extensions import db
from lltp.records import casework
from lltp.records.models import Person
from lltp.records.views import bp

AUTHORITY = (UnitKind.ISSUING_AUTHORITY,)
RECORD_READERS = (Role.PROCESSING_OFFICER, Role.APPROVER)
REMATCH = "doi-chieu-lai"


def record_panel(case, user):
    """The candidates while the officer is matching, then the content and its explanation."""
    if user.unit.kind is not UnitKind.ISSUING_AUTHORITY or not user.has_role(*RECORD_READERS):
        return None
    match = casework.current_match(case)
    may_match = case.stage in casework.MATCHING_STAGES and user.has_role(Role.PROCESSING_OFFICER)
    if match is None and not may_match:
        return None
    # Once a person is picked the candidates stay folded away until the officer asks to match again.
    matching = may_match and (match is None or REMATCH in request.args)
    actor = current_actor()
    composed = casework.case_content(case) if match is not None else None
    if composed is not None:
        casework.audit_content_viewed(case, match, actor=actor)
    return {
        "match": match,
        "matching": matching,
        "may_rematch": may_match and not matching,
        "rematch_arg": REMATCH,
        "candidates": casework.candidates_for(case, actor=actor) if matching else [],
        "content": composed,
        "overrides": casework.overrides_of(case),
        "can_override": composed is not None
        and case.stage in casework.OVERRIDE_STAGES
        and user.has_role(Role.PROCESSING_OFFICER),
    }


panels.register(panels.Panel("records/case/_record.html", record_panel, order=5))


@bp.post("/ho-so/<code>/doi-chieu/chon")
@requires(Role.PROCESSING_OFFICER, unit_kinds=AUTHORITY)
def pick_person(code):
    """The officer picks the candidate who is the applicant."""
    case = panels.case_or_404(code)
    person = db.session.get(Person, request.form.get("person_id", type=int) or 0)
    if person is None:
        return panels.refuse(
            case, "record-pick", ValidationFailed({"person_id": _("Chọn một người trong danh sách.")}), {}
        )
    casework.pick_person(case, person, actor=current_actor())
    return panels.done(
        case, _("Đã xác định người trong cơ sở dữ liệu lý lịch tư pháp."), anchor="record-panel"
    )


@bp.post("/ho-so/<code>/doi-chieu/khong-co")
@requires(Role.PROCESSING_OFFICER, unit_kinds=AUTHORITY)
def record_no_match(code):
    """The officer records that the applicant is nobody in the record database, and why."""
    case = panels.case_or_404(code)
    reason = request.form.get("reason", "")
    try:
        casework.record_no_match(case, reason=reason, actor=current_actor())
    except ValidationFailed as failed:
        return panels.refuse(case, "record-no-match", failed, {"reason": reason})
    return panels.done(
        case, _("Đã ghi nhận: không có trong cơ sở dữ liệu lý lịch tư pháp."), anchor="record-panel"
    )


@bp.post("/ho-so/<code>/doi-chieu/ban-an/<int:judgment_id>/dieu-chinh")
@requires(Role.PROCESSING_OFFICER, unit_kinds=AUTHORITY)
def override_conviction(code, judgment_id):
    """The officer decides, with a written reason, whether a conviction is in force for this case."""
    case = panels.case_or_404(code)
    judgment = casework.judgment_of_case(case, judgment_id)
    if judgment is None:
        abort(404)
    values = {"in_force": request.form.get("in_force", ""), "reason": request.form.get("reason", "")}
    form = f"record-override-{judgment_id}"
    if values["in_force"] not in ("yes", "no"):
        return panels.refuse(case, form, ValidationFailed({"in_force": _("Chọn kết luận.")}), values)
    try:
        casework.override_conviction(
            case,
            judgment,
            in_force=values["in_force"] == "yes",
            reason=values["reason"],
            actor=current_actor(),
        )
    except ValidationFailed as failed:
        return panels.refuse(case, form, failed, values)
    return panels.done(case, _("Đã điều chỉnh kết luận về bản án."), anchor="record-panel")
