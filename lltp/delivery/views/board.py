"""The returning officers' "to post" board: the paper returns to ship, the shipments waiting for pickup,
in transit, returned to sender (a task: ship again or switch to the counter, from the case page) and
delivered; counts on the tabs, filters in the URL, a pager. htmx swaps the results in place."""

from flask import current_app, request, url_for

from lltp.accounts.models import Role, UnitKind
from lltp.core import audit, clock
from lltp.core.htmx import render_page
from lltp.core.permissions import current_actor, requires
from lltp.delivery import forms, queries
from lltp.delivery.views import bp
from lltp.extensions import db


@bp.get("/tra-ket-qua")
@requires(Role.RETURNING_OFFICER, unit_kinds=(UnitKind.ISSUING_AUTHORITY,))
def board():
    """The "to post" board under the URL's filters."""
    filters = forms.board_filters(request.args)
    result = queries.board_page(filters, page_size=current_app.config["LLTP_BOARD_PAGE_SIZE"])
    # The rows name the applicants and their addresses: the page is a read of each.
    audit.record(
        "delivery.board_viewed",
        current_actor(),
        object_type="case",
        details={
            "filters": forms.board_args(filters, page=result.page),
            "cases": [r.case.code for r in result.rows],
        },
    )
    response = render_page(
        "delivery/board.html",
        block="results",
        filters=filters,
        result=result,
        tabs=forms.TABS,
        statuses=forms.SHIPMENT_STATUS_LABELS,
        now=clock.now(),
        board_url=lambda **changes: url_for("delivery.board", **forms.board_args(filters, **changes)),
    )
    db.session.commit()
    return response
