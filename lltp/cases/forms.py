"""The cases area's forms: the board's filters (read from the query string) and the Vietnamese labels of
the case's coded fields."""

from dataclasses import replace

from flask_babel import lazy_gettext as _l
from wtforms import Form, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from lltp.cases.models import CLOSED_STAGES, CaseStage, Channel, DeliveryMethod, Sex
from lltp.cases.queries import ALL_TAB, OPEN_TAB, BoardFilters
from lltp.cases.workflow import STAGE_LABELS

CHANNEL_LABELS = {
    Channel.COUNTER: _l("Tại quầy"),
    Channel.POST: _l("Bưu chính"),
    Channel.AGENCY: _l("Cơ quan đề nghị"),
    Channel.ONLINE: _l("Trực tuyến (cổng tỉnh)"),
    Channel.VNEID: _l("VNeID"),
    Channel.NATIONAL_PORTAL: _l("Cổng DVC quốc gia"),
    Channel.PROVINCIAL_PORTAL: _l("Cổng DVC tỉnh"),
}
DELIVERY_LABELS = {
    DeliveryMethod.ELECTRONIC: _l("Bản điện tử"),
    DeliveryMethod.COUNTER: _l("Nhận tại quầy"),
    DeliveryMethod.POST: _l("Gửi qua bưu chính"),
}
SEX_LABELS = {Sex.MALE: _l("Nam"), Sex.FEMALE: _l("Nữ")}
CERTIFICATE_TYPE_LABELS = {1: _l("Phiếu số 1"), 2: _l("Phiếu số 2")}
DUE_LABELS = {
    "overdue": _l("Quá hạn"),
    "at_risk": _l("Có nguy cơ trễ hạn"),
    "due_today": _l("Đến hạn hôm nay"),
}
SORT_LABELS = {
    "due": _l("Hạn trả kết quả"),
    "received": _l("Ngày tiếp nhận"),
    "code": _l("Mã hồ sơ"),
    "name": _l("Họ tên"),
}

# The board's tabs: every open case (the default), each stage in workflow order, then every case.
STAGE_TABS = (
    (OPEN_TAB, _l("Đang giải quyết")),
    *((stage.value, STAGE_LABELS[stage]) for stage in CaseStage if stage not in CLOSED_STAGES),
    *((stage.value, STAGE_LABELS[stage]) for stage in CaseStage if stage in CLOSED_STAGES),
    (ALL_TAB, _l("Tất cả")),
)


def _choices(pairs, *, blank=None):
    """Select options from (value, label) pairs, after a "no filter" option when `blank` names one."""
    options = [("", blank)] if blank else []
    return [SelectChoice(str(value), label) for value, label in [*options, *pairs]]


class BoardFilterForm(Form):
    """The board's filters, all in the URL. A value that does not parse falls back to its default, so an
    edited or stale link still shows a board."""

    stage = SelectField(_l("Bước"), choices=_choices(STAGE_TABS), default=OPEN_TAB)
    channel = SelectField(_l("Kênh"), choices=_choices(CHANNEL_LABELS.items(), blank=_l("Mọi kênh")))
    due = SelectField(_l("Thời hạn"), choices=_choices(DUE_LABELS.items(), blank=_l("Mọi thời hạn")))
    type = SelectField(
        _l("Loại Phiếu"), choices=_choices(CERTIFICATE_TYPE_LABELS.items(), blank=_l("Cả hai loại"))
    )
    q = StringField(_l("Tìm theo mã hồ sơ hoặc họ tên"), filters=[lambda value: (value or "").strip()[:120]])
    sort = SelectField(_l("Sắp xếp theo"), choices=_choices(SORT_LABELS.items()), default="due")
    dir = SelectField(
        _l("Thứ tự"), choices=_choices((("asc", _l("Tăng dần")), ("desc", _l("Giảm dần")))), default="asc"
    )
    page = IntegerField(_l("Trang"), validators=[Optional(), NumberRange(min=1)], default=1)

    def filters(self):
        """The filters as the board's query takes them, with every invalid value reset to its default."""
        self.validate()
        for field in self:
            if field.errors:
                field.data = field.default
        return BoardFilters(
            stage=self.stage.data or OPEN_TAB,
            channel=Channel(self.channel.data) if self.channel.data else None,
            due=self.due.data or None,
            certificate_type=int(self.type.data) if self.type.data else None,
            q=self.q.data or "",
            sort=self.sort.data,
            descending=self.dir.data == "desc",
            page=self.page.data or 1,
        )


def board_args(filters, **changes):
    """The query-string arguments that give `filters` with `changes` applied, defaults left out."""
    filters = replace(filters, **changes)
    args = {
        "stage": filters.stage,
        "channel": filters.channel and filters.channel.value,
        "due": filters.due,
        "type": filters.certificate_type,
        "q": filters.q,
        "sort": None if filters.sort == "due" else filters.sort,
        "dir": "desc" if filters.descending else None,
        "page": None if filters.page == 1 else filters.page,
    }
    return {name: value for name, value in args.items() if value}
