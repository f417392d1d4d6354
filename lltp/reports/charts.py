"""The dashboard's charts: each is one `Chart` of labelled series, drawn as a pygal SVG and printed as the
table under it, from the same numbers, so the picture and the table cannot differ."""

import sys
from dataclasses import dataclass

import pygal
from flask_babel import gettext as _
from pygal.style import Style

from lltp.cases.forms import CERTIFICATE_TYPE_LABELS, CHANNEL_LABELS
from lltp.cases.models import Channel
from lltp.cases.workflow import STAGE_LABELS
from lltp.core.text import format_decimal, format_number
from lltp.intake.forms import FEE_CATEGORY_LABELS
from lltp.reports.figures import CERTIFICATE_TYPES

# pygal adds an import hook for its map plugins that has only the pre-3.4 `find_module`, so every later
# import that reaches it warns (an error under the suite's warning filter). We draw no maps: take it out.
sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, pygal.PluginImportFixer)]


@dataclass(frozen=True)
class Chart:
    name: str  # in the URL: /bao-cao/bieu-do/<name>.svg
    title: str
    kind: str  # "bar", "line" or "hbar"
    labels: list  # one per row of the table (the x axis)
    series: list  # [(name, [value per label])]
    unit: str = ""  # what the values count, for the table's caption
    decimals: bool = False

    def cell(self, value):
        if value is None:
            return "—"
        return format_decimal(value) if self.decimals else format_number(value)

    @property
    def rows(self):
        """(label, [cell text per series]) for the table."""
        return [
            (label, [self.cell(values[index]) for _name, values in self.series])
            for index, label in enumerate(self.labels)
        ]


# Dark enough on white for WCAG AA, and told apart by more than hue in the table under each chart.
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1b1b1b",
    foreground_strong="#1b1b1b",
    foreground_subtle="#555555",
    colors=("#1d4f91", "#b3261e", "#2e7d32", "#6a1b9a", "#8a5a00"),
    font_family="Liberation Sans, Arial, sans-serif",
)


def charts(fig):
    """Every chart of the dashboard, in the order the page shows them."""
    channels = list(Channel)
    stages = list(fig.open_by_stage)
    types = [str(CERTIFICATE_TYPE_LABELS[t]) for t in CERTIFICATE_TYPES]
    time_groups = [(str(CERTIFICATE_TYPE_LABELS[t]), fig.times_by_type[t]) for t in CERTIFICATE_TYPES] + [
        (str(CHANNEL_LABELS[channel]), times) for channel, times in fig.times_by_channel.items()
    ]
    late_days = list(fig.late_by_days)
    return [
        Chart(
            "kenh",
            _("Hồ sơ tiếp nhận theo kênh"),
            "hbar",
            [str(CHANNEL_LABELS[channel]) for channel in channels],
            [(_("Hồ sơ"), [fig.received_by_channel[channel] for channel in channels])],
        ),
        Chart(
            "tra-ket-qua",
            _("Kết quả trả: sớm và đúng hạn, quá hạn"),
            "bar",
            [_("Sớm và đúng hạn"), _("Quá hạn")],
            [(_("Hồ sơ"), [fig.on_time, fig.late])],
        ),
        Chart(
            "so-ngay-tre",
            _("Hồ sơ quá hạn theo số ngày làm việc quá hạn"),
            "bar",
            [_("%(n)02d ngày", n=days) for days in late_days],
            [(_("Hồ sơ"), [fig.late_by_days[days] for days in late_days])],
        ),
        Chart(
            "dang-giai-quyet",
            _("Hồ sơ đang giải quyết và quá hạn, theo bước"),
            "hbar",
            [str(STAGE_LABELS[stage]) for stage in stages],
            [
                (_("Đang giải quyết"), [fig.open_by_stage[stage] for stage in stages]),
                (_("Quá hạn"), [fig.overdue_by_stage[stage] for stage in stages]),
            ],
        ),
        Chart(
            "qua-han-don-vi",
            _("Hồ sơ quá hạn đang chờ đơn vị xác minh trả lời"),
            "hbar",
            [unit.name for unit, _count in fig.overdue_by_unit],
            [(_("Hồ sơ"), [count for _unit, count in fig.overdue_by_unit])],
        ),
        Chart(
            "thoi-gian",
            _("Thời gian từ tiếp nhận đến trả kết quả (ngày làm việc; ngày theo lịch)"),
            "hbar",
            [label for label, _times in time_groups],
            [
                (_("Trung vị, ngày làm việc"), [times.median_working_days for _label, times in time_groups]),
                (_("P90, ngày làm việc"), [times.p90_working_days for _label, times in time_groups]),
                (_("Trung vị, ngày theo lịch"), [times.median_days for _label, times in time_groups]),
                (_("P90, ngày theo lịch"), [times.p90_days for _label, times in time_groups]),
            ],
            decimals=True,
        ),
        Chart(
            "loai-phieu",
            _("Phiếu số 1 và Phiếu số 2"),
            "bar",
            types,
            [
                (_("Tiếp nhận"), [fig.received_by_type[t] for t in CERTIFICATE_TYPES]),
                (_("Trả kết quả"), [fig.returned_by_type[t] for t in CERTIFICATE_TYPES]),
                (_("Phiếu đã cấp"), [fig.certificates_issued[t] for t in CERTIFICATE_TYPES]),
            ],
        ),
        Chart(
            "le-phi",
            _("Lệ phí theo đối tượng (đồng)"),
            "hbar",
            [str(FEE_CATEGORY_LABELS[row.category]) for row in fig.fees],
            [
                (_("Đã thu trong kỳ"), [row.paid for row in fig.fees]),
                (_("Ngân sách hỗ trợ"), [row.subsidised for row in fig.fees]),
            ],
        ),
        _trend("xu-huong-tuan", _("Xu hướng theo tuần (tuần bắt đầu ngày)"), fig.weekly),
        _trend("xu-huong-thang", _("Xu hướng theo tháng"), fig.monthly),
    ]


def _trend(name, title, trends):
    return Chart(
        name,
        title,
        "line",
        [trend.label for trend in trends],
        [
            (_("Tiếp nhận"), [trend.received for trend in trends]),
            (_("Trả kết quả"), [trend.returned for trend in trends]),
            (_("Quá hạn"), [trend.late for trend in trends]),
        ],
    )


_KINDS = {"bar": pygal.Bar, "line": pygal.Line, "hbar": pygal.HorizontalBar}


def render_svg(chart):
    """The chart as SVG bytes, with no script (`js=[]`: pygal would otherwise load one from the web)."""
    drawing = _KINDS[chart.kind](
        js=[],
        style=STYLE,
        title=chart.title,
        disable_xml_declaration=False,
        show_legend=len(chart.series) > 1,
        legend_at_bottom=True,
        print_values=chart.kind != "line",
        # The axis too: a count axis may tick at halves ("1,5"); a whole value prints as the table does.
        value_formatter=format_decimal,
        x_label_rotation=45 if len(chart.labels) > 8 else 0,
        no_data_text=_("Không có số liệu"),
        width=800,
        height=420,
        truncate_label=-1,
    )
    drawing.x_labels = chart.labels
    for name, values in chart.series:
        drawing.add(name, values)
    return drawing.render()
