"""The periodic report that goes up to the province and the ministry: sentences in the style of the plans
and reviews, filled from `figures()`, and the same figures as tables, as XLSX (openpyxl) and PDF
(xhtml2pdf). The report is Vietnamese whatever the reader's interface language."""

import io
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from lltp.core import clock
from lltp.core.pdf import render_pdf
from lltp.core.text import format_date, format_decimal, format_number, format_percent
from lltp.intake.models import FeeCategory
from lltp.intake.pdf import authority
from lltp.reports.charts import charts


@dataclass(frozen=True)
class Report:
    title: str
    period: str
    sentences: list
    charts: list


def sentences(fig):
    """The report's sentences, e.g. "tiếp nhận 11.449 yêu cầu cấp Phiếu LLTP trên ứng dụng VNeID/22.730
    tổng số hồ sơ (chiếm tỷ lệ 50,37%); trả kết quả 5.811 Phiếu LLTP, trong đó 4.811 hồ sơ sớm và đúng
    hạn; 641 hồ sơ quá hạn 01 ngày"."""
    late = "".join(
        _("; %(count)s hồ sơ quá hạn %(days)02d ngày", count=format_number(count), days=days)
        for days, count in fig.late_by_days.items()
    )
    lines = [
        _(
            "Từ ngày %(start)s đến ngày %(end)s, tiếp nhận %(vneid)s yêu cầu cấp Phiếu LLTP trên ứng dụng "
            "VNeID/%(total)s tổng số hồ sơ (chiếm tỷ lệ %(share)s); trả kết quả %(returned)s Phiếu LLTP, "
            "trong đó %(on_time)s hồ sơ sớm và đúng hạn%(late)s.",
            start=format_date(fig.period_from),
            end=format_date(fig.period_to),
            vneid=format_number(fig.vneid),
            total=format_number(fig.received),
            share=format_percent(fig.vneid, fig.received),
            returned=format_number(fig.returned),
            on_time=format_number(fig.on_time),
            late=late,
        ),
        _(
            "Phiếu LLTP số 1: tiếp nhận %(received_1)s, trả kết quả %(returned_1)s; Phiếu LLTP số 2: tiếp "
            "nhận %(received_2)s, trả kết quả %(returned_2)s.",
            received_1=format_number(fig.received_by_type[1]),
            returned_1=format_number(fig.returned_by_type[1]),
            received_2=format_number(fig.received_by_type[2]),
            returned_2=format_number(fig.returned_by_type[2]),
        ),
        _(
            "Thời gian giải quyết trung vị %(median)s ngày làm việc (%(median_days)s ngày theo lịch); "
            "90%% hồ sơ được trả kết quả trong %(p90)s ngày làm việc (%(p90_days)s ngày theo lịch).",
            median=format_decimal(fig.times_total.median_working_days),
            median_days=format_decimal(fig.times_total.median_days),
            p90=format_decimal(fig.times_total.p90_working_days),
            p90_days=format_decimal(fig.times_total.p90_days),
        ),
        _(
            "Ban hành %(apologies)s phiếu xin lỗi và hẹn lại ngày trả kết quả; %(kept)s/%(apology_returns)s "
            "hồ sơ có phiếu xin lỗi được trả kết quả đúng ngày hẹn lại.",
            apologies=format_number(fig.apologies),
            kept=format_number(fig.apology_date_kept),
            apology_returns=format_number(fig.apology_returns),
        ),
        _(
            "Từ chối cấp %(refused)s hồ sơ; %(withdrawn)s hồ sơ người yêu cầu rút yêu cầu.",
            refused=format_number(fig.refused),
            withdrawn=format_number(fig.withdrawn),
        ),
        _(
            "Thu lệ phí %(paid)s đồng; ngân sách địa phương hỗ trợ %(subsidised)s đồng; miễn lệ phí "
            "%(exempt)s hồ sơ.",
            paid=format_number(sum(row.paid for row in fig.fees)),
            subsidised=format_number(sum(row.subsidised for row in fig.fees)),
            exempt=format_number(sum(row.requests for row in fig.fees if row.category is FeeCategory.EXEMPT)),
        ),
        _(
            "Đến ngày %(today)s, còn %(open)s hồ sơ đang giải quyết, trong đó %(overdue)s hồ sơ quá hạn.",
            today=format_date(clock.today()),
            open=format_number(fig.open),
            overdue=format_number(fig.overdue),
        ),
    ]
    return lines


def report(fig):
    """The report's text and tables, in Vietnamese."""
    with force_locale("vi"):
        title = _("Báo cáo kết quả cấp Phiếu lý lịch tư pháp")
        if fig.unit is not None:
            title = _("%(title)s (hồ sơ có xác minh tại %(unit)s)", title=title, unit=fig.unit.name)
        period = _(
            "Từ ngày %(start)s đến ngày %(end)s",
            start=format_date(fig.period_from),
            end=format_date(fig.period_to),
        )
        return Report(title, period, sentences(fig), charts(fig))


def render_xlsx(fig):
    """The report as a workbook: the sentences on the first sheet, then one sheet per table, the numbers
    as numbers (so the province can add them up)."""
    content = report(fig)
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Tong hop"
    summary.append([content.title])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([content.period])
    summary.append([])
    for line in content.sentences:
        summary.append([line])
        summary.cell(row=summary.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    summary.column_dimensions["A"].width = 120
    for chart in content.charts:
        sheet = workbook.create_sheet(chart.name[:31])
        sheet.append([chart.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(["", *(name for name, _values in chart.series)])
        for index, label in enumerate(chart.labels):
            sheet.append([label, *(values[index] for _name, values in chart.series)])
        sheet.column_dimensions["A"].width = 45
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def render_report_pdf(fig):
    """The report as a PDF paper, in the authority's name, with the sentences and the tables."""
    content = report(fig)
    with force_locale("vi"):
        return render_pdf(
            "reports/pdf/period.html",
            authority=authority(),
            number=_("BC-LLTP/%(year)s", year=fig.period_to.year),
            issued_on=clock.today(),
            signer_title_lines=current_app.config["LLTP_AUTHORITY_SIGNER_TITLE"].splitlines(),
            report=content,
        )


def file_name(period, extension, *, prefix="bao-cao-lltp"):
    """`bao-cao-lltp-01-01-2025-31-03-2025.xlsx`, for the figures or the filters of a period."""
    unit = f"-don-vi-{period.unit.id}" if period.unit is not None else ""
    return f"{prefix}-{period.period_from:%d-%m-%Y}-{period.period_to:%d-%m-%Y}{unit}.{extension}"
