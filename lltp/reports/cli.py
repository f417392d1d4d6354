"""`flask reports period --from dd/mm/yyyy --to dd/mm/yyyy`: the periodic report as XLSX and PDF files."""

from pathlib import Path

import click
from flask.cli import AppGroup

from lltp.core.calendar import parse_day
from lltp.extensions import db
from lltp.reports import periodic
from lltp.reports.figures import figures
from lltp.reports.forms import parse_filters
from lltp.reports.tasks import refresh_summary

reports_cli = AppGroup("reports", help="Báo cáo: báo cáo định kỳ kết quả cấp Phiếu LLTP.")


@reports_cli.command("period")
@click.option("--from", "period_from", required=True, help="Ngày bắt đầu, dd/mm/yyyy.")
@click.option("--to", "period_to", required=True, help="Ngày kết thúc, dd/mm/yyyy.")
@click.option("--unit", "unit_id", default="", help="Chỉ các hồ sơ có xác minh tại đơn vị này (mã số).")
@click.option(
    "--out",
    "out_dir",
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
    help="Thư mục ghi tệp (mặc định: thư mục hiện tại).",
)
def period_command(period_from, period_to, unit_id, out_dir):
    """Write the periodic report of the period as XLSX and PDF, the same figures as the dashboard."""
    filters, _form, errors = parse_filters({"from": period_from, "to": period_to, "unit": unit_id})
    if errors:
        for name, message in errors.items():
            click.echo(f"--{name}: {message}", err=True)
        raise SystemExit(2)
    fig = figures(filters.period_from, filters.period_to, unit=filters.unit)
    out_dir.mkdir(parents=True, exist_ok=True)
    for extension, render in (("xlsx", periodic.render_xlsx), ("pdf", periodic.render_report_pdf)):
        path = out_dir / periodic.file_name(fig, extension)
        path.write_bytes(render(fig))
        click.echo(str(path))


@reports_cli.command("summarise")
@click.option("--from", "period_from", required=True, help="Ngày bắt đầu, dd/mm/yyyy.")
@click.option("--to", "period_to", required=True, help="Ngày kết thúc, dd/mm/yyyy.")
def summarise_command(period_from, period_to):
    """Count the days of the period into the daily summary now (the worker also does it, hour by hour).
    Any length of period: a rebuild after the calendar changed takes the whole history."""
    try:
        first, last = parse_day(period_from), parse_day(period_to)
    except ValueError:
        raise click.BadParameter("dd/mm/yyyy") from None
    written = refresh_summary(first, last)
    db.session.commit()
    click.echo(f"{written} dòng tổng hợp.")
