"""The case page's declaration panel: the whole tờ khai as it was accepted, and the details of the channel
it came by (the parcel, the agency's letter, the national system's own id).

The panel shows for every officer who may open the case page; that page's `case.view` audit row already
records the read.
"""

from datetime import date

from lltp.cases import panels
from lltp.cases.models import API_CHANNELS, Channel


def declaration_panel(case, user):
    """The declaration of a case that came through intake; None for a case without one."""
    declaration = case.declaration
    if declaration is None:
        return None
    requester = declaration.requester or {}
    requester_document = requester.get("id_document") or {}
    issued_on = requester_document.get("issued_on")
    return {
        "declaration": declaration,
        "requester": requester,
        "requester_document": requester_document,
        # Kept as ISO text inside the JSON column: a date again, to print as dd/mm/yyyy.
        "requester_issued_on": date.fromisoformat(issued_on) if issued_on else None,
        "by_post": case.channel is Channel.POST,
        "by_agency": case.channel is Channel.AGENCY,
        "by_api": case.channel in API_CHANNELS,
    }


panels.register(panels.Panel("intake/case/_declaration.html", declaration_panel, order=5))
