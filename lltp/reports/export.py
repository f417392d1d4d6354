"""The CSV export of the case list, with the columns the reader chose. Personal columns only for the roles
that may see people's data (not the report reader), and every export is audited: with personal data, one
audit row per case whose data left the system."""

import csv
import io
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from lltp.accounts.models import Role
from lltp.cases.forms import CHANNEL_LABELS, SEX_LABELS
from lltp.cases.workflow import STAGE_LABELS
from lltp.core import audit
from lltp.core.text import format_date
from lltp.extensions import db
from lltp.reports.days import day_of
from lltp.reports.figures import case_list

# Who may take people's names and numbers out of the system in an export.
PERSONAL_DATA_ROLES = (Role.ADMINISTRATOR,)


@dataclass(frozen=True)
class Column:
    label: Any
    value: Any  # (row) -> text
    personal: bool = False


def _day(number):
    return format_date(day_of(number)) if number is not None else ""


COLUMNS = {
    "code": Column(_l("Mã hồ sơ"), lambda row: row.Case.code),
    "channel": Column(_l("Kênh"), lambda row: str(CHANNEL_LABELS[row.Case.channel])),
    "certificate_type": Column(_l("Loại Phiếu"), lambda row: str(row.Case.certificate_type)),
    "stage": Column(_l("Tình trạng"), lambda row: str(STAGE_LABELS[row.Case.stage])),
    "received_on": Column(_l("Ngày tiếp nhận"), lambda row: _day(row.received_day)),
    "due_date": Column(_l("Hạn trả kết quả"), lambda row: format_date(row.Case.due_date)),
    "returned_on": Column(_l("Ngày trả kết quả"), lambda row: _day(row.returned_day)),
    "days_late": Column(_l("Số ngày làm việc quá hạn"), lambda row: _number(row.days_late)),
    "working_days": Column(_l("Thời gian giải quyết (ngày làm việc)"), lambda row: _number(row.working)),
    "calendar_days": Column(_l("Thời gian giải quyết (ngày theo lịch)"), lambda row: _number(row.days)),
    "applicant_full_name": Column(_l("Họ tên"), lambda row: row.Case.applicant_full_name, personal=True),
    "applicant_date_of_birth": Column(
        _l("Ngày sinh"), lambda row: format_date(row.Case.applicant_date_of_birth), personal=True
    ),
    "applicant_sex": Column(
        _l("Giới tính"), lambda row: str(SEX_LABELS[row.Case.applicant_sex]), personal=True
    ),
    "applicant_id_number": Column(
        _l("Số định danh cá nhân"), lambda row: row.Case.applicant_id_number or "", personal=True
    ),
    "applicant_phone": Column(_l("Điện thoại"), lambda row: row.Case.applicant_phone or "", personal=True),
    "applicant_email": Column(_l("Thư điện tử"), lambda row: row.Case.applicant_email or "", personal=True),
}
DEFAULT_COLUMNS = (
    "code",
    "channel",
    "certificate_type",
    "stage",
    "received_on",
    "due_date",
    "returned_on",
    "days_late",
)


def _number(value):
    return "" if value is None else str(value)


def may_export_personal(user):
    return user is not None and user.has_role(*PERSONAL_DATA_ROLES)


def allowed_columns(user):
    """The columns `user` may choose, in order."""
    personal = may_export_personal(user)
    return {name: column for name, column in COLUMNS.items() if personal or not column.personal}


def export_cases(filters, columns, *, actor):
    """The case list of `filters` as CSV text (UTF-8 with a BOM, so Excel reads the Vietnamese), with the
    `columns` asked for that the actor may have (the default set when none is left), audited."""
    allowed = allowed_columns(actor.user)
    chosen = [name for name in allowed if name in columns] or list(DEFAULT_COLUMNS)
    output = io.StringIO()
    output.write("\ufeff")
    writer = csv.writer(output)
    writer.writerow([str(COLUMNS[name].label) for name in chosen])
    case_ids = []
    statement = case_list(filters.period_from, filters.period_to, unit=filters.unit)
    for row in db.session.execute(statement.execution_options(yield_per=1000)):
        writer.writerow([COLUMNS[name].value(row) for name in chosen])
        case_ids.append(row.Case.id)
    personal = [name for name in chosen if COLUMNS[name].personal]
    details = {**filters.query(), "columns": chosen, "rows": len(case_ids)}
    audit.record("reports.export_cases", actor, object_type="report", object_id="cases.csv", details=details)
    if personal:
        # Each person whose data left in the file has their own row, as any other read of it.
        db.session.execute(
            sa.insert(audit.AuditEvent),
            [
                audit.values(
                    "reports.export_case",
                    actor,
                    object_type="case",
                    case_id=case_id,
                    details={"columns": personal},
                )
                for case_id in case_ids
            ],
        )
    db.session.flush()
    return output.getvalue(), chosen
