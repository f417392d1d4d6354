"""The CSV export of the case list and the periodic report (XLSX, PDF, the CLI): the same figures as the
dashboard, personal columns only for the roles allowed, every export audited (acceptance 2 and 3)."""

import csv
import io
import subprocess

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from lltp.accounts.models import Role
from lltp.core.audit import AuditEvent
from lltp.reports.charts import charts
from lltp.reports.figures import figures
from tests.factories import create_user
from tests.reports.cases import Q1_FROM, Q1_TO, build_quarter

Q1 = {"from": "01/01/2025", "to": "31/03/2025"}
PERSONAL = ["applicant_full_name", "applicant_id_number"]


@pytest.fixture
def quarter(db):
    return build_quarter()


def read_csv(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def audits(action):
    return AuditEvent.query.filter_by(action=action).all()


def test_csv_lists_the_periods_cases_with_the_chosen_columns(login_as, quarter):
    client = login_as(create_user(roles=(Role.REPORT_READER,)))
    response = client.get(
        "/bao-cao/ho-so.csv", query_string={**Q1, "cot": ["code", "days_late", "received_on"]}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="ho-so-lltp-01-01-2025-31-03-2025.csv"' in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["Mã hồ sơ", "Ngày tiếp nhận", "Số ngày làm việc quá hạn"]
    by_code = {row[0]: row for row in rows[1:]}
    # Received or closed in the quarter: all but "new_year_eve" (open since 31/12) and "unpaid".
    assert len(by_code) == 12
    assert by_code[quarter.cases["late"].code] == [quarter.cases["late"].code, "03/03/2025", "2"]
    assert by_code[quarter.cases["before"].code][1] == "30/12/2024"
    assert by_code[quarter.cases["refused"].code][2] == ""


def test_csv_leaves_out_personal_columns_for_a_report_reader(login_as, quarter):
    client = login_as(create_user(roles=(Role.REPORT_READER,)))
    rows = read_csv(client.get("/bao-cao/ho-so.csv", query_string={**Q1, "cot": ["code", *PERSONAL]}))
    assert rows[0] == ["Mã hồ sơ"]
    assert "NGUYỄN VĂN AN" not in str(rows)
    assert audits("reports.export_case") == []


def test_report_reader_is_not_offered_personal_columns(login_as):
    page = login_as(create_user(roles=(Role.REPORT_READER,))).get("/bao-cao").get_data(as_text=True)
    assert 'value="code"' in page
    assert 'value="applicant_full_name"' not in page


def test_administrator_exports_personal_columns_and_each_case_is_audited(login_as, quarter):
    client = login_as(create_user(roles=(Role.ADMINISTRATOR,)))
    rows = read_csv(client.get("/bao-cao/ho-so.csv", query_string={**Q1, "cot": ["code", *PERSONAL]}))
    assert rows[0] == ["Mã hồ sơ", "Họ tên", "Số định danh cá nhân"]
    assert rows[1][1:] == ["NGUYỄN VĂN AN", "079090001234"]
    assert len(audits("reports.export_case")) == 12
    (export,) = audits("reports.export_cases")
    assert export.details["columns"] == ["code", *PERSONAL]
    assert export.details["rows"] == 12


def test_every_csv_export_is_audited_with_its_period(login_as, quarter):
    client = login_as(create_user(roles=(Role.REPORT_READER,)))
    client.get("/bao-cao/ho-so.csv", query_string=Q1)
    (export,) = audits("reports.export_cases")
    assert (export.details["from"], export.details["to"], export.details["rows"]) == (
        "01/01/2025",
        "31/03/2025",
        12,
    )


def test_xlsx_opens_and_holds_the_dashboards_figures(login_as, quarter):
    client = login_as(create_user(roles=(Role.REPORT_READER,)))
    response = client.get("/bao-cao/dinh-ky.xlsx", query_string=Q1)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    summary = workbook["Tong hop"]
    assert summary["A1"].value == "Báo cáo kết quả cấp Phiếu lý lịch tư pháp"
    assert "tiếp nhận 2 yêu cầu cấp Phiếu LLTP trên ứng dụng VNeID/11 tổng số hồ sơ" in summary["A4"].value
    for chart in charts(figures(Q1_FROM, Q1_TO)):
        sheet = workbook[chart.name]
        assert sheet["A1"].value == chart.title
        rows = list(sheet.iter_rows(min_row=3, values_only=True))
        assert [row[0] for row in rows] == chart.labels
        for column, (_name, values) in enumerate(chart.series, 1):
            assert [row[column] for row in rows] == pytest.approx(values)


def test_xlsx_channel_sheet_has_the_counts(login_as, quarter):
    client = login_as(create_user(roles=(Role.REPORT_READER,)))
    workbook = load_workbook(io.BytesIO(client.get("/bao-cao/dinh-ky.xlsx", query_string=Q1).data))
    counts = {row[0]: row[1] for row in workbook["kenh"].iter_rows(min_row=3, values_only=True)}
    assert (counts["Tại quầy"], counts["VNeID"]) == (9, 2)


def pdf_text(data, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout
    return " ".join(text.decode().split())


def test_pdf_text_has_the_sentences_with_the_right_numbers(login_as, quarter, tmp_path):
    client = login_as(create_user(roles=(Role.REPORT_READER,)))
    response = client.get("/bao-cao/dinh-ky.pdf", query_string=Q1)
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    assert (
        "tiếp nhận 2 yêu cầu cấp Phiếu LLTP trên ứng dụng VNeID/11 tổng số hồ sơ (chiếm tỷ lệ 18,18%); "
        "trả kết quả 8 Phiếu LLTP, trong đó 6 hồ sơ sớm và đúng hạn; 2 hồ sơ quá hạn 02 ngày"
    ) in text
    assert "Thời gian giải quyết trung vị 7,5 ngày làm việc (11,5 ngày theo lịch)" in text
    assert "Từ chối cấp 1 hồ sơ; 1 hồ sơ người yêu cầu rút yêu cầu" in text
    assert "Thu lệ phí 400.000 đồng; ngân sách địa phương hỗ trợ 200.000 đồng; miễn lệ phí 1 hồ sơ" in text


def test_cli_writes_the_xlsx_and_pdf_of_the_period(app, db, quarter, tmp_path):
    db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["reports", "period", "--from", "01/01/2025", "--to", "31/03/2025", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    xlsx = tmp_path / "bao-cao-lltp-01-01-2025-31-03-2025.xlsx"
    pdf = tmp_path / "bao-cao-lltp-01-01-2025-31-03-2025.pdf"
    assert str(xlsx) in result.output and str(pdf) in result.output
    assert "VNeID/11 tổng số hồ sơ" in load_workbook(xlsx)["Tong hop"]["A4"].value
    assert "trả kết quả 8 Phiếu LLTP" in pdf_text(pdf.read_bytes(), tmp_path)


def test_cli_refuses_a_bad_date(app):
    result = app.test_cli_runner().invoke(
        args=["reports", "period", "--from", "32/01/2025", "--to", "31/03/2025"]
    )
    assert result.exit_code == 2
    assert "--from" in result.output


def test_export_audit_is_committed_even_with_no_cases(login_as, db):
    client = login_as(create_user(roles=(Role.REPORT_READER,)))
    response = client.get("/bao-cao/ho-so.csv", query_string={"from": "01/01/2020", "to": "31/01/2020"})
    assert len(read_csv(response)) == 1
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "reports.export_cases")
        )
        == 1
    )
