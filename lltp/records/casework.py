"""The record database's part in a case: finding the applicant among its people, what the certificate
would say about them, and the officer's overrides.

At `in_review` the processing officer is shown the ranked candidates for the applicant's identity and
either picks one or records "no match" with a reason (`RecordMatch`, the latest row counts). From then on
the case page shows the composed content and the engine's explanation. When that content needs
verification, the case is marked long, so its due date follows the legal profile's longer limit.
"""

from dataclasses import replace

import sqlalchemy as sa
from flask_babel import gettext as _

from lltp.accounts.models import Role
from lltp.cases import services as case_services
from lltp.cases.models import CaseStage
from lltp.core import audit, clock
from lltp.core.errors import NotAllowed, ValidationFailed
from lltp.extensions import db
from lltp.records import content, matching
from lltp.records.models import ConvictionOverride, Judgment, RecordMatch
from lltp.records.queries import cluster_ids, surviving

MATCHING_STAGES = frozenset({CaseStage.IN_REVIEW})
# Overrides change the draft, so they are allowed until it goes for signature.
OVERRIDE_STAGES = frozenset({CaseStage.IN_REVIEW, CaseStage.VERIFYING, CaseStage.DRAFTING})
CANDIDATE_LIMIT = 10

# Functions `(case) -> dict` of more `matching.Identity` fields from what later areas hold about the
# applicant (intake adds the declaration's place of birth, parents and other names): this area may not
# import theirs.
identity_sources = []


def case_identity(case):
    """The applicant's identity as the case gives it, for matching."""
    identity = matching.Identity(
        full_name=case.applicant_full_name,
        date_of_birth=case.applicant_date_of_birth,
        sex=str(case.applicant_sex) if case.applicant_sex else None,
        id_numbers=(case.applicant_id_number,) if case.applicant_id_number else (),
    )
    for source in identity_sources:
        identity = replace(identity, **source(case))
    return identity


def candidates_for(case, *, actor):
    """The ranked candidate people for the applicant; showing them to an officer is audited."""
    found = matching.candidates(case_identity(case), limit=CANDIDATE_LIMIT)
    audit.record(
        "records.candidates_viewed",
        actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        details={"person_ids": [candidate.person.id for candidate in found]},
    )
    return found


def current_match(case):
    """The officer's latest finding for the case, or None before there is one."""
    return db.session.scalar(
        sa.select(RecordMatch).where(RecordMatch.case_id == case.id).order_by(RecordMatch.id.desc()).limit(1)
    )


def _check_may_match(case, actor):
    if case.stage not in MATCHING_STAGES:
        raise NotAllowed(_("Chỉ đối chiếu cơ sở dữ liệu khi hồ sơ đang được xử lý, tra cứu."))
    if actor.user is None or not actor.user.has_role(Role.PROCESSING_OFFICER):
        raise NotAllowed(_("Chỉ cán bộ xử lý hồ sơ được đối chiếu cơ sở dữ liệu."))


def pick_person(case, person, *, actor):
    """Record that the applicant is `person` of the record database, with the score and reasons the
    matcher gave; mark the case long when what the record says needs verification."""
    _check_may_match(case, actor)
    person = surviving(person)
    shown = {c.person.id: c for c in matching.candidates(case_identity(case), limit=CANDIDATE_LIMIT)}
    candidate = shown.get(person.id)
    match = RecordMatch(
        case_id=case.id,
        person_id=person.id,
        score=candidate.score if candidate else None,
        reasons=list(candidate.reasons) if candidate else None,
        decided_by_id=actor.user_id,
    )
    db.session.add(match)
    db.session.flush()
    audit.record(
        "records.person_matched",
        actor,
        object_type="person",
        object_id=person.id,
        case_id=case.id,
        details={"score": match.score, "reasons": match.reasons},
    )
    _mark_long_if_needed(case, case_content(case), actor=actor)
    return match


def record_no_match(case, *, reason, actor):
    """Record that the applicant is nobody in the record database, and why the officer is sure."""
    _check_may_match(case, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": _("Vui lòng ghi lý do kết luận không có trong cơ sở dữ liệu.")})
    match = RecordMatch(case_id=case.id, person_id=None, reason=reason, decided_by_id=actor.user_id)
    db.session.add(match)
    db.session.flush()
    audit.record(
        "records.no_match", actor, object_type="case", object_id=case.id, case_id=case.id, reason=reason
    )
    return match


def audit_content_viewed(case, match, *, actor):
    """An officer was shown what the record says about the matched person."""
    audit.record(
        "records.content_viewed", actor, object_type="person", object_id=match.person_id, case_id=case.id
    )


def overrides_of(case):
    """The officer's overrides in force for the case: judgment id -> (in force, reason)."""
    rows = db.session.scalars(
        sa.select(ConvictionOverride)
        .where(ConvictionOverride.case_id == case.id, ConvictionOverride.withdrawn_at.is_(None))
        .order_by(ConvictionOverride.id)
    )
    return {row.judgment_id: (row.in_force, row.reason) for row in rows}


def case_content(case, *, as_of=None):
    """What the certificate would say for the matched person today (or on `as_of`), with the overrides;
    None until a person is matched."""
    match = current_match(case)
    if match is None or match.person_id is None:
        return None
    return content.compose(
        surviving(match.person),
        case.certificate_type,
        as_of=as_of or clock.today(),
        with_bans=case.include_ban_section,
        overrides=overrides_of(case),
    )


def override_conviction(case, judgment, *, in_force, reason, actor):
    """Decide, against the engine and with a written reason, whether a judgment is a conviction in force
    for this case (domain §9: the registries' own cases). Replaces an earlier override of the judgment."""
    if case.stage not in OVERRIDE_STAGES:
        raise NotAllowed(_("Không thể điều chỉnh kết luận khi hồ sơ đã trình ký."))
    if actor.user is None or not actor.user.has_role(Role.PROCESSING_OFFICER):
        raise NotAllowed(_("Chỉ cán bộ xử lý hồ sơ được điều chỉnh kết luận."))
    if judgment.person_id not in _matched_person_ids(case):
        raise NotAllowed(_("Bản án này không thuộc người đã đối chiếu cho hồ sơ."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": _("Vui lòng ghi lý do điều chỉnh.")})
    now = clock.now()
    for earlier in db.session.scalars(
        sa.select(ConvictionOverride).where(
            ConvictionOverride.case_id == case.id,
            ConvictionOverride.judgment_id == judgment.id,
            ConvictionOverride.withdrawn_at.is_(None),
        )
    ):
        earlier.withdrawn_at = now
    override = ConvictionOverride(
        case_id=case.id,
        judgment_id=judgment.id,
        in_force=in_force,
        reason=reason,
        decided_by_id=actor.user_id,
    )
    db.session.add(override)
    db.session.flush()
    audit.record(
        "records.conviction_overridden",
        actor,
        object_type="judgment",
        object_id=judgment.id,
        case_id=case.id,
        reason=reason,
        details={"in_force": in_force},
    )
    return override


def judgment_of_case(case, judgment_id):
    """A judgment of the person matched for the case, or None."""
    judgment = db.session.get(Judgment, judgment_id)
    return judgment if judgment is not None and judgment.person_id in _matched_person_ids(case) else None


def _matched_person_ids(case):
    """The ids of the whole record (the cluster) of the person matched for the case; none before."""
    match = current_match(case)
    return cluster_ids(surviving(match.person)) if match is not None and match.person_id else set()


def _mark_long_if_needed(case, composed, *, actor):
    """A record that needs verification makes the case long (the legal profile's longer limit)."""
    if composed is None or not composed.needs_verification or case.is_long:
        return
    case_services.transition(case, "mark_long", actor=actor, note="; ".join(composed.needs_verification))
