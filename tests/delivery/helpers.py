"""What the delivery tests share: the actors, and the postal operator's events in order."""

from datetime import timedelta

from lltp.accounts.models import Role
from lltp.core import clock
from lltp.core.audit import Actor
from lltp.delivery import services
from tests.factories import create_user

POSTAL = Actor.system("api:buu-dien")


def returning_officer():
    return Actor(
        user=create_user(roles=(Role.RETURNING_OFFICER,), full_name="Cán Bộ Trả Kết Quả"), ip="127.0.0.1"
    )


def report(shipment, *events, start=None):
    """The postal operator reports `events` in order, a minute apart."""
    start = start or clock.now()
    for minute, event in enumerate(events):
        services.record_shipment_event(
            shipment, event=event, at=start + timedelta(minutes=minute), actor=POSTAL
        )
