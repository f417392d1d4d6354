"""The record database's pages: searching people, a person's record, an officer's manual entry and
correction of judgments and enforcement events, the data-cleaning pages (likely duplicates, side-by-side
comparison, merge and its undoing, documents waiting for their parent), and the case page's record panel.

Only the issuing authority's processing officers and approvers use them: judicial-record data is sensitive,
and Phiếu số 2 content never leaves the authority (domain §13, design §4).
"""

from flask import Blueprint

from lltp.accounts.models import UnitKind
from lltp.core.permissions import requires
from lltp.navigation import RECORD_OFFICERS

bp = Blueprint("records", __name__)

# Who may read and change the record database's people from these pages.
record_officers = requires(*RECORD_OFFICERS, unit_kinds=(UnitKind.ISSUING_AUTHORITY,))

from lltp.records.views import case_panel, cleaning, people  # noqa: E402,F401  (they attach their routes to bp)
