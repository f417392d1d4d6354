"""Reading intake: what the officers' forms look up while a request is typed in."""

import sqlalchemy as sa

from lltp.cases.models import OPEN_STAGES, Case
from lltp.extensions import db


def open_case_for_id_number(id_number, certificate_type):
    """The oldest open case of `certificate_type` for the person with `id_number`, or None."""
    if not id_number or certificate_type not in (1, 2):
        return None
    return db.session.scalar(
        sa.select(Case)
        .where(
            Case.applicant_id_number == id_number,
            Case.certificate_type == certificate_type,
            Case.stage.in_(OPEN_STAGES),
        )
        .order_by(Case.id)
        .limit(1)
    )
