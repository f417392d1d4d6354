"""The returning pages: the case page's returns panel (the counter handover, the shipment, what to do with
a return to sender) and the returning officers' "to post" board."""

from flask import Blueprint

bp = Blueprint("delivery", __name__)

from lltp.delivery.views import board, case_panel  # noqa: E402, F401
