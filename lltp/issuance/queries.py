"""Reading drafts and certificates, and what a draft says once the officer's edits are laid over the
composed content."""

import copy

import sqlalchemy as sa

from lltp.cases.models import CaseStage
from lltp.extensions import db
from lltp.issuance import content
from lltp.issuance.models import Certificate, CertificateDraft


def draft_of(case):
    """The case's certificate draft, or None before the case reached drafting."""
    return db.session.scalar(sa.select(CertificateDraft).where(CertificateDraft.case_id == case.id))


def certificate_of(case):
    """The latest certificate issued for the case, or None."""
    return db.session.scalar(
        sa.select(Certificate).where(Certificate.case_id == case.id).order_by(Certificate.id.desc()).limit(1)
    )


def field_value(snapshot, field):
    """The value of a dotted field ("person.full_name") of a content snapshot; KeyError when it has none."""
    node = snapshot
    for key in field.split("."):
        node = node[key]
    return node


def has_field(snapshot, field):
    try:
        field_value(snapshot, field)
    except (KeyError, TypeError):
        return False
    return True


def with_edits(composed, edits):
    """The composed snapshot with each officer edit applied in order (the latest edit of a field wins)."""
    snapshot = copy.deepcopy(composed)
    for edit in edits or ():
        *parents, last = edit["field"].split(".")
        node = snapshot
        for key in parents:
            node = node[key]
        node[last] = copy.deepcopy(edit["after"])
    return snapshot


def current_content(case, draft):
    """What the draft says now: while drafting, composed afresh from the records with the edits laid over
    it (an override the officer just made shows at once); once sent for signature, what was sent."""
    if draft is not None and case.stage is not CaseStage.DRAFTING:
        return draft.content
    return with_edits(content.compose(case), draft.edits if draft is not None else [])
