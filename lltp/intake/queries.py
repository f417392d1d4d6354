"""Reading intake: what the officers' forms look up while a request is typed in."""

import sqlalchemy as sa

from lltp.cases.models import OPEN_STAGES, Case
from lltp.extensions import db


def open_case_for_id_number(id_number, certificate_type, *, excluding=None):
    """The oldest open case of `certificate_type` for the person with `id_number` (other than the case
    `excluding`), or None."""
    if not id_number or certificate_type not in (1, 2):
        return None
    query = sa.select(Case).where(
        Case.applicant_id_number == id_number,
        Case.certificate_type == certificate_type,
        Case.stage.in_(OPEN_STAGES),
    )
    if excluding is not None:
        query = query.where(Case.id != excluding.id)
    return db.session.scalar(query.order_by(Case.id).limit(1))
