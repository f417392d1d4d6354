"""The accounts forms, and the Vietnamese names of roles and unit kinds.

The forms parse and convert input only; every rule is checked in the services, which raise
`ValidationFailed({"field": "message"})` for the templates to show beside the field.
"""

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Form,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)

from lltp.accounts.models import Role, UnitKind
from lltp.core.errors import ValidationFailed

ROLE_LABELS = {
    Role.INTAKE_OFFICER: _l("Cán bộ tiếp nhận"),
    Role.PROCESSING_OFFICER: _l("Cán bộ xử lý"),
    Role.APPROVER: _l("Lãnh đạo phê duyệt, ký"),
    Role.RETURNING_OFFICER: _l("Cán bộ trả kết quả"),
    Role.VERIFIER: _l("Cán bộ xác minh"),
    Role.UNIT_SUPERVISOR: _l("Lãnh đạo đơn vị"),
    Role.REPORT_READER: _l("Xem báo cáo"),
    Role.ADMINISTRATOR: _l("Quản trị hệ thống"),
}
UNIT_KIND_LABELS = {
    UnitKind.ISSUING_AUTHORITY: _l("Cơ quan cấp Phiếu"),
    UnitKind.PROVINCIAL_POLICE: _l("Công an tỉnh"),
    UnitKind.COURT: _l("Tòa án"),
    UnitKind.PROCURACY: _l("Viện kiểm sát"),
    UnitKind.JUDGMENT_ENFORCEMENT: _l("Cơ quan thi hành án dân sự"),
    UnitKind.COMMUNE_COMMITTEE: _l("UBND cấp xã"),
    UnitKind.POPULATION_REGISTER: _l("Cơ sở dữ liệu dân cư"),
    UnitKind.POSTAL_OPERATOR: _l("Bưu chính"),
}
DATE_FORMAT = "%d/%m/%Y"


def role_label(role):
    return ROLE_LABELS[Role(role)]


def unit_kind_label(kind):
    return UNIT_KIND_LABELS[UnitKind(kind)]


def parse_date(text, field):
    """A dd/mm/yyyy date, None when empty; a field error otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return datetime.strptime(text, DATE_FORMAT).date()
    except ValueError:
        raise ValidationFailed({field: _("Ngày không hợp lệ, hãy nhập theo dạng dd/mm/yyyy.")}) from None


def _optional_int(value):
    return int(value) if str(value or "").isdigit() else None


def _choices(pairs):
    return [SelectChoice(value, label) for value, label in pairs]


def _unit_choices(units, empty_label):
    """Units grouped by their agency."""
    return [SelectChoice("", empty_label)] + [
        SelectChoice(str(unit.id), unit.name, optgroup=unit.agency.name) for unit in units
    ]


def parse_page(text):
    return int(text) if (text or "").isdigit() and int(text) > 0 else 1


class LoginForm(Form):
    username = StringField(_l("Tên đăng nhập"))
    password = PasswordField(_l("Mật khẩu"))
    next = HiddenField()


class CodeForm(Form):
    """The second step of a login, and the confirmation of an enrolment."""

    code = StringField(_l("Mã xác thực"))


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Mật khẩu hiện tại"))
    new_password = PasswordField(_l("Mật khẩu mới"))
    confirm_password = PasswordField(_l("Nhập lại mật khẩu mới"))


class RecoveryCodesForm(Form):
    recovery_password = PasswordField(_l("Mật khẩu hiện tại"))


class ReasonForm(Form):
    reason = StringField(_l("Lý do (ghi vào nhật ký)"))


class UserForm(Form):
    username = StringField(_l("Tên đăng nhập"))
    full_name = StringField(_l("Họ và tên"))
    email = StringField(_l("Thư điện tử"))
    phone = StringField(_l("Điện thoại"))
    unit = SelectField(_l("Đơn vị"), coerce=_optional_int, validate_choice=False)
    roles = SelectMultipleField(_l("Vai trò"), validate_choice=False)

    def __init__(self, formdata=None, *, units, **kwargs):
        super().__init__(formdata, **kwargs)
        self.unit.choices = _unit_choices(units, _("— Chọn đơn vị —"))

    @property
    def selected_roles(self):
        values = {role.value for role in Role}
        return [Role(value) for value in self.roles.data or () if value in values]


class UserFilterForm(Form):
    q = StringField(_l("Tìm theo tên, tên đăng nhập"))
    unit_id = SelectField(_l("Đơn vị"), coerce=str, validate_choice=False)
    role = SelectField(
        _l("Vai trò"), choices=_choices([("", _l("Tất cả")), *ROLE_LABELS.items()]), validate_choice=False
    )
    active = SelectField(
        _l("Trạng thái"),
        choices=_choices([("", _l("Tất cả")), ("1", _l("Đang hoạt động")), ("0", _l("Đã vô hiệu hóa"))]),
        validate_choice=False,
    )

    def __init__(self, formdata=None, *, units, **kwargs):
        super().__init__(formdata, **kwargs)
        self.unit_id.choices = _unit_choices(units, _("Tất cả"))

    @property
    def filters(self):
        unit_id = self.unit_id.data or ""
        role = self.role.data if self.role.data in {role.value for role in Role} else None
        return {
            "q": (self.q.data or "").strip() or None,
            "unit_id": int(unit_id) if unit_id.isdigit() else None,
            "role": role and Role(role),
            "active": {"1": True, "0": False}.get(self.active.data),
        }


class UnitForm(Form):
    agency_name = StringField(_l("Cơ quan"))
    name = StringField(_l("Tên đơn vị"))
    kind = SelectField(_l("Loại đơn vị"), choices=_choices(UNIT_KIND_LABELS.items()), validate_choice=False)
    admin_unit_code = StringField(_l("Mã đơn vị hành chính (UBND cấp xã)"))
    email = StringField(_l("Thư điện tử"))
    phone = StringField(_l("Điện thoại"))
    is_active = BooleanField(_l("Đang hoạt động"), default=True)

    @property
    def unit_kind(self):
        values = {kind.value for kind in UnitKind}
        if self.kind.data not in values:
            raise ValidationFailed({"kind": _("Vui lòng chọn loại đơn vị.")})
        return UnitKind(self.kind.data)


class AuditFilterForm(Form):
    user = StringField(_l("Người dùng (tên đăng nhập)"))
    action = StringField(_l("Thao tác (bắt đầu bằng)"))
    case_code = StringField(_l("Mã hồ sơ"))
    ip = StringField(_l("Địa chỉ IP"))
    date_from = StringField(_l("Từ ngày"))
    date_to = StringField(_l("Đến ngày"))

    @property
    def filters(self):
        """The filters as the query takes them; a bad date raises a field error."""
        errors = {}
        dates = {}
        for name in ("date_from", "date_to"):
            try:
                dates[name] = parse_date(self[name].data, name)
            except ValidationFailed as failed:
                errors.update(failed.errors)
        if not errors and dates["date_from"] and dates["date_to"] and dates["date_to"] < dates["date_from"]:
            errors["date_to"] = _("Ngày kết thúc phải sau ngày bắt đầu.")
        if errors:
            raise ValidationFailed(errors)
        text = {
            name: (self[name].data or "").strip() or None for name in ("user", "action", "case_code", "ip")
        }
        return {**text, **dates}
