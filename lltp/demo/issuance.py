"""The demo's certificates: every case past approval approved and signed by the demo signer, through the
real approval (second factor, numbering, PDF, both signatures), then one certificate corrected by a later
one of the same applicant, and one revoked.
"""

from dataclasses import replace

import pyotp

from lltp.accounts.services.logins import confirm_totp_enrolment, start_totp_enrolment
from lltp.cases.models import CaseStage
from lltp.config import VAR_DIR
from lltp.core import clock
from lltp.core.audit import Actor
from lltp.extensions import db
from lltp.issuance import decisions, keys, queries
from lltp.issuance.models import CertificateStatus, DecisionKind
from lltp.issuance.services import approve, refresh_draft

# The approver whose second factor the demo enrols, so that the demo's certificates carry a real
# approval; `flask demo logins` prints the authenticator key. The other approver enrols at first login.
SIGNER = "kyduyet"
APPLICANT_FIELDS = (
    "applicant_full_name",
    "applicant_date_of_birth",
    "applicant_sex",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
)
CORRECTION_REASON = (
    "Phiếu đã cấp ghi sai nơi sinh của người được cấp Phiếu so với tờ khai; cấp Phiếu mới thay thế."
)
REVOCATION_REASON = (
    "Người được cấp Phiếu đã bị kết án bằng bản án có hiệu lực trước ngày cấp Phiếu, nhưng cơ sở dữ liệu "
    "chưa được cập nhật khi cấp."
)


def with_repeat_applicant(plans):
    """The plans, with one returned case's applicant asking again later for the same type of certificate:
    the later certificate corrects the earlier one (a decision needs a replacement for that person)."""

    def approved_at(plan):
        return next(at for action, at, _note in plan.steps if action == "approve")

    returned = sorted((plan for plan in plans if plan.steps[-1][0] == "record_return"), key=approved_at)
    first = returned[0]
    later = next(
        plan
        for plan in returned[1:]
        if plan.fields["certificate_type"] == first.fields["certificate_type"]
        and plan.channel == first.channel
    )
    repeat = replace(
        later,
        fields={**later.fields, **{name: first.fields[name] for name in APPLICANT_FIELDS}},
        request={**later.request, "applicant": first.request["applicant"]},
    )
    return [repeat if plan is later else plan for plan in plans]


def prepare_signing(demo):
    """Self-signed keys for the seal and every approver, and the signer's second factor."""
    keys.make_demo_keys(
        VAR_DIR / "demo-keys", organisation=demo.units["authority"].agency.name, actor=demo.actor
    )
    signer = demo.users[SIGNER]
    secret = start_totp_enrolment(signer, actor=demo.actor)
    confirm_totp_enrolment(signer, pyotp.TOTP(secret).now(), actor=demo.actor)


def approve_case(demo, case, *, at):
    """Approve and sign the case's draft at `at`, composed again now that the record database is there."""
    refresh_draft(case, as_of=clock.local_date(at))
    return approve(case, actor=Actor(user=demo.users[SIGNER]), at=at)


def load_decisions(demo):
    """The first returned certificate corrected by its applicant's later one, and another one revoked."""
    actor = Actor(user=demo.users[SIGNER])
    certificates = [queries.certificate_of(case) for case in demo.cases if case.stage is CaseStage.RETURNED]
    certificates.sort(key=lambda certificate: certificate.issued_at)
    corrected = certificates[0]
    replacement = decisions.replacement_candidates(corrected)[-1]
    decisions.record_decision(
        corrected,
        kind=DecisionKind.CORRECT,
        number=f"01/{replacement.issued_on.year}/QĐ-ĐC",
        decided_on=replacement.issued_on,
        reason=CORRECTION_REASON,
        replacement=replacement,
        actor=actor,
    )
    revoked = next(
        c for c in certificates[1:] if c is not replacement and c.status is CertificateStatus.VALID
    )
    decisions.record_decision(
        revoked,
        kind=DecisionKind.REVOKE,
        number=f"02/{clock.local_date(demo.now).year}/QĐ-TH",
        decided_on=clock.local_date(demo.now),
        reason=REVOCATION_REASON,
        actor=actor,
    )
    db.session.flush()
