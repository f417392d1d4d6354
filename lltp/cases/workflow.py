"""The case lifecycle as data: stages, actions, and who may take each action from each stage.

The table is the machine. `cases.services.transition()` is the only way to move a case, and it consults
this table; `replay()` folds a case's events through the same table to give its stage.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from lltp.accounts.models import Role
from lltp.cases.models import CaseStage as S


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    needs_note: bool = False
    # The automatic systems (the API, the worker, the citizen's own follow-up) may take it without a role.
    system_allowed: bool = False
    danger: bool = False
    # Taken only through the form of the area that does the work (approving issues the certificate): the
    # generic action route refuses it.
    own_form: bool = False


ACTIONS = {
    a.name: a
    for a in (
        Action("submit", _l("Nộp hồ sơ (chờ nộp phí)"), system_allowed=True),
        Action("receive", _l("Tiếp nhận hồ sơ"), system_allowed=True),
        Action("record_payment", _l("Ghi nhận đã nộp phí"), system_allowed=True),
        Action("request_completion", _l("Yêu cầu bổ sung hồ sơ"), needs_note=True),
        Action("complete_dossier", _l("Nhận hồ sơ đã bổ sung"), system_allowed=True),
        Action("start_review", _l("Bắt đầu xử lý, tra cứu")),
        Action("mark_long", _l("Chuyển sang thời hạn dài"), needs_note=True, system_allowed=True),
        Action("start_verification", _l("Gửi xác minh")),
        Action("start_drafting", _l("Lập dự thảo Phiếu (không cần xác minh)")),
        Action("finish_verification", _l("Hoàn tất xác minh, lập dự thảo"), system_allowed=True),
        Action("submit_for_signature", _l("Trình ký")),
        Action("return_draft", _l("Trả lại dự thảo"), needs_note=True),
        Action("approve", _l("Phê duyệt và ký Phiếu"), own_form=True),
        # Done by the returns themselves (delivery area): the case is returned once every return it owes is.
        Action("record_return", _l("Ghi nhận đã trả kết quả"), system_allowed=True, own_form=True),
        Action("refuse", _l("Từ chối cấp Phiếu"), needs_note=True, danger=True),
        Action("withdraw", _l("Rút yêu cầu"), needs_note=True, system_allowed=True, danger=True),
    )
}

# Why a certificate is refused: the grounds the Law on Judicial Records (Art. 49) gives, or another reason
# written out. A refusal always carries its written reason as the event's note, and its ground as data.
REFUSAL_LEGAL_BASIS = "Điều 49 Luật Lý lịch tư pháp năm 2009"
REFUSAL_GROUNDS = {
    "not_competent": _l("Việc cấp Phiếu lý lịch tư pháp không thuộc thẩm quyền của cơ quan"),
    "wrong_requester": _l("Người yêu cầu cấp Phiếu lý lịch tư pháp số 2 không phải là người được cấp Phiếu"),
    "missing_authorisation": _l("Thiếu văn bản ủy quyền hợp lệ của người được cấp Phiếu"),
    "forged_papers": _l("Giấy tờ kèm theo Tờ khai yêu cầu cấp Phiếu là giả mạo"),
    "other": _l("Lý do khác"),
}
# The grounds the law names (the others are given as text only).
LEGAL_REFUSAL_GROUNDS = frozenset(REFUSAL_GROUNDS) - {"other"}

INTAKE = frozenset({Role.INTAKE_OFFICER})
PROCESSING = frozenset({Role.PROCESSING_OFFICER})
APPROVER = frozenset({Role.APPROVER})
RETURNING = frozenset({Role.RETURNING_OFFICER})

# (stage before, action) -> (stage after, roles allowed). None as the stage before is a new case.
TRANSITIONS = {
    (None, "submit"): (S.AWAITING_PAYMENT, INTAKE),
    (None, "receive"): (S.RECEIVED, INTAKE),
    (S.AWAITING_PAYMENT, "record_payment"): (S.RECEIVED, INTAKE),
    (S.RECEIVED, "request_completion"): (S.INCOMPLETE, INTAKE | PROCESSING),
    (S.IN_REVIEW, "request_completion"): (S.INCOMPLETE, PROCESSING),
    (S.INCOMPLETE, "complete_dossier"): (S.RECEIVED, INTAKE),
    (S.RECEIVED, "start_review"): (S.IN_REVIEW, PROCESSING),
    (S.RECEIVED, "mark_long"): (S.RECEIVED, PROCESSING),
    (S.IN_REVIEW, "mark_long"): (S.IN_REVIEW, PROCESSING),
    (S.VERIFYING, "mark_long"): (S.VERIFYING, PROCESSING),
    (S.IN_REVIEW, "start_verification"): (S.VERIFYING, PROCESSING),
    (S.IN_REVIEW, "start_drafting"): (S.DRAFTING, PROCESSING),
    (S.VERIFYING, "finish_verification"): (S.DRAFTING, PROCESSING),
    (S.DRAFTING, "submit_for_signature"): (S.AWAITING_SIGNATURE, PROCESSING),
    (S.AWAITING_SIGNATURE, "return_draft"): (S.DRAFTING, APPROVER),
    (S.AWAITING_SIGNATURE, "approve"): (S.ISSUED, APPROVER),
    (S.ISSUED, "record_return"): (S.RETURNED, RETURNING),
    # A refusal is decided at intake for what is plain on the papers, later by the officer or approver.
    (S.AWAITING_PAYMENT, "refuse"): (S.REFUSED, INTAKE),
    (S.RECEIVED, "refuse"): (S.REFUSED, INTAKE | PROCESSING),
    (S.INCOMPLETE, "refuse"): (S.REFUSED, INTAKE | PROCESSING),
    (S.IN_REVIEW, "refuse"): (S.REFUSED, PROCESSING | APPROVER),
    (S.VERIFYING, "refuse"): (S.REFUSED, PROCESSING | APPROVER),
    (S.DRAFTING, "refuse"): (S.REFUSED, PROCESSING | APPROVER),
    (S.AWAITING_SIGNATURE, "refuse"): (S.REFUSED, APPROVER),
    # The applicant may withdraw until the certificate is signed; the intake officer records it.
    **{
        (stage, "withdraw"): (S.WITHDRAWN, INTAKE)
        for stage in (
            S.AWAITING_PAYMENT,
            S.RECEIVED,
            S.INCOMPLETE,
            S.IN_REVIEW,
            S.VERIFYING,
            S.DRAFTING,
            S.AWAITING_SIGNATURE,
        )
    },
}

STAGE_LABELS = {
    S.AWAITING_PAYMENT: _l("Chờ nộp phí"),
    S.RECEIVED: _l("Đã tiếp nhận"),
    S.INCOMPLETE: _l("Chờ bổ sung"),
    S.IN_REVIEW: _l("Đang xử lý"),
    S.VERIFYING: _l("Đang xác minh"),
    S.DRAFTING: _l("Lập dự thảo"),
    S.AWAITING_SIGNATURE: _l("Chờ ký"),
    S.ISSUED: _l("Đã cấp Phiếu"),
    S.RETURNED: _l("Đã trả kết quả"),
    S.REFUSED: _l("Từ chối"),
    S.WITHDRAWN: _l("Đã rút"),
}


def rule_for(stage, action):
    """(next stage, roles) for taking `action` from `stage`, or None when the table has no such move."""
    return TRANSITIONS.get((stage, action))


def may_take(user, stage, action):
    """Whether `user` may take `action` on a case at `stage`: the table, the role, and the jurisdiction."""
    rule = rule_for(stage, action)
    return (
        rule is not None
        and user is not None
        and user.is_authority_officer
        and bool(user.roles & rule[1])
        and stage is not None
    )


def available_actions(case, user):
    """The actions whose buttons the case page shows to `user`, in table order."""
    return [
        ACTIONS[action]
        for (stage, action) in TRANSITIONS
        if stage == case.stage and may_take(user, stage, action)
    ]


def replay(events):
    """The stage that folding `events` through the transition table gives. Raises on an illegal event."""
    stage = None
    for event in events:
        rule = rule_for(stage, event.action)
        if rule is None:
            raise ValueError(f"event {event.action!r} cannot follow stage {stage!r}")
        stage = rule[0]
    return stage


def path_to(stage):
    """The shortest list of actions that takes a new case to `stage` (for demo data and tests)."""
    frontier = [(None, [])]
    seen = {None}
    while frontier:
        current, actions = frontier.pop(0)
        if current == stage:
            return actions
        for (before, action), (after, _roles) in TRANSITIONS.items():
            if before == current and after not in seen:
                seen.add(after)
                frontier.append((after, [*actions, action]))
    raise ValueError(f"no path to {stage!r}")
