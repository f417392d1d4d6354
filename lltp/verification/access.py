"""Who may see and act on a verification task, by unit (design §4).

A verifying unit's officers see and work on their own unit's tasks only; the issuing authority's
processing officers manage every task of the cases (they ask, cancel, clarify and type in paper answers);
approvers and supervisors of the authority read them. A verifying agency's own system (an API client of
kind verifying_agency) is bound to one unit and acts for that unit only. Each check raises NotAllowed, so
a page, its htmx fragment and the API refuse alike.
"""

from flask_babel import gettext as _

from lltp.accounts.models import ApiClientKind, Role, UnitKind
from lltp.core.errors import NotAllowed

VERIFYING_ROLES = (Role.VERIFIER, Role.UNIT_SUPERVISOR)
AUTHORITY_READERS = (Role.PROCESSING_OFFICER, Role.APPROVER, Role.UNIT_SUPERVISOR)


def is_unit_member(task, user):
    return (
        user is not None
        and user.unit.kind is not UnitKind.ISSUING_AUTHORITY
        and user.unit_id == task.unit_id
        and user.has_role(*VERIFYING_ROLES)
    )


def is_authority_reader(user):
    return user is not None and user.is_authority_officer and user.has_role(*AUTHORITY_READERS)


def can_see(task, user):
    return is_unit_member(task, user) or is_authority_reader(user)


def can_work_on(task, user):
    return is_unit_member(task, user)


def can_manage(user):
    return user is not None and user.is_authority_officer and user.has_role(Role.PROCESSING_OFFICER)


def check_sees(task, user):
    if not can_see(task, user):
        raise NotAllowed(_("Yêu cầu xác minh này không thuộc đơn vị của bạn."))


def check_works_on(task, user):
    if not can_work_on(task, user):
        raise NotAllowed(_("Yêu cầu xác minh này không thuộc đơn vị của bạn."))


def check_manages(case, user):
    if not can_manage(user):
        raise NotAllowed(_("Chỉ cán bộ xử lý hồ sơ của cơ quan cấp Phiếu được thực hiện thao tác này."))


def is_unit_client(task, client):
    """An API client acts on a task only as the system of the unit the task is put to."""
    return (
        client is not None
        and client.is_active
        and client.kind is ApiClientKind.VERIFYING_AGENCY
        and client.unit_id is not None
        and client.unit_id == task.unit_id
    )


def check_client_works_on(task, client):
    if not is_unit_client(task, client):
        raise NotAllowed(_("Yêu cầu xác minh này không thuộc đơn vị của bạn."))
