"""A task's time left, in working days, as text and a tone: the same words as the case board's."""

from flask_babel import gettext as _

from lltp.cases.deadlines import DeadlineStatus
from lltp.core import clock
from lltp.verification.models import UNRESOLVED


def task_due_status(task, *, calendar, today=None):
    """Working days left or overdue for an unresolved task; "none" once it is answered or cancelled."""
    if task.status not in UNRESOLVED:
        return DeadlineStatus(None, False, False, _("Đã kết thúc"), "none")
    days_left = calendar.working_days_left(today or clock.today(), task.due_date)
    if days_left < 0:
        return DeadlineStatus(days_left, True, False, _("Quá hạn %(n)d ngày làm việc", n=-days_left), "late")
    if days_left == 0:
        return DeadlineStatus(0, False, True, _("Hạn hôm nay"), "risk")
    label = _("Còn %(n)d ngày làm việc", n=days_left)
    return DeadlineStatus(days_left, False, days_left <= 1, label, "risk" if days_left <= 1 else "ok")
