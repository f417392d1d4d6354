"""The main menu: each entry names its endpoint and who sees it. Later areas add their entries here."""

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.routing import BuildError

from lltp.accounts.models import Role, UnitKind

AUTHORITY_STAFF = (
    Role.INTAKE_OFFICER,
    Role.PROCESSING_OFFICER,
    Role.APPROVER,
    Role.RETURNING_OFFICER,
    Role.UNIT_SUPERVISOR,
)
# Who works on the record database's people (the record pages and the case's record panel).
RECORD_OFFICERS = (Role.PROCESSING_OFFICER, Role.APPROVER)
# A verifying unit's officers work on their board; the authority's follow every unit's.
VERIFICATION_BOARD = (Role.VERIFIER, Role.UNIT_SUPERVISOR, Role.PROCESSING_OFFICER, Role.APPROVER)
PERFORMANCE_READERS = (Role.REPORT_READER, Role.ADMINISTRATOR, Role.UNIT_SUPERVISOR, Role.PROCESSING_OFFICER)
REPORT_READERS = (Role.REPORT_READER, Role.ADMINISTRATOR)

MENU = (
    # (label, endpoint, roles, unit kinds)
    (_l("Bảng hồ sơ"), "cases.board", AUTHORITY_STAFF, (UnitKind.ISSUING_AUTHORITY,)),
    (_l("Tiếp nhận hồ sơ"), "intake.counter_start", (Role.INTAKE_OFFICER,), (UnitKind.ISSUING_AUTHORITY,)),
    (_l("Tra cứu lý lịch"), "records.people_search", RECORD_OFFICERS, (UnitKind.ISSUING_AUTHORITY,)),
    (_l("Làm sạch dữ liệu"), "records.duplicates", RECORD_OFFICERS, (UnitKind.ISSUING_AUTHORITY,)),
    (_l("Văn bản chờ ghép"), "records.pending", RECORD_OFFICERS, (UnitKind.ISSUING_AUTHORITY,)),
    (_l("Yêu cầu xác minh"), "verification.board", VERIFICATION_BOARD, None),
    (
        _l("Trả kết quả qua bưu điện"),
        "delivery.board",
        (Role.RETURNING_OFFICER,),
        (UnitKind.ISSUING_AUTHORITY,),
    ),
    (_l("Hiệu quả xác minh"), "verification.performance", PERFORMANCE_READERS, (UnitKind.ISSUING_AUTHORITY,)),
    (_l("Báo cáo"), "reports.dashboard", REPORT_READERS, (UnitKind.ISSUING_AUTHORITY,)),
    (_l("Người dùng"), "accounts.admin_users", (Role.ADMINISTRATOR,), None),
    (_l("Đơn vị"), "accounts.admin_units", (Role.ADMINISTRATOR,), None),
    (_l("Lịch làm việc"), "cases.admin_calendar", (Role.ADMINISTRATOR,), None),
    (_l("Thời hạn giải quyết"), "cases.admin_profiles", (Role.ADMINISTRATOR,), None),
    (_l("Định tuyến xác minh"), "verification.admin_rules", (Role.ADMINISTRATOR,), None),
    (_l("Lệ phí"), "intake.admin_fees", (Role.ADMINISTRATOR,), None),
    (_l("Nhật ký truy cập"), "accounts.admin_audit", (Role.ADMINISTRATOR,), None),
    (_l("Tin gửi lỗi"), "outbox.dead_letters", (Role.ADMINISTRATOR,), (UnitKind.ISSUING_AUTHORITY,)),
    (_l("Tài khoản"), "accounts.account", (), None),
)


def main_menu():
    """The entries the current user may open, with the current one marked."""
    items = []
    for label, endpoint, roles, unit_kinds in MENU:
        if roles and not current_user.has_role(*roles):
            continue
        if unit_kinds and current_user.unit.kind not in unit_kinds:
            continue
        try:
            url = url_for(endpoint)
        except BuildError:  # an area that this deployment does not serve
            continue
        items.append({"label": label, "url": url, "active": request.path == url})
    return items
