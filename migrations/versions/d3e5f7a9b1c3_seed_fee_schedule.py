"""seed the fee schedule of domain §7: the 2016 rates, the 2025 rates with the online discount, and an
example local subsidy

They are data that administrators edit afterwards; this is what a new installation starts with.

Revision ID: d3e5f7a9b1c3
Revises: c2d4e6f8a0b1
Create Date: 2026-12-01 07:00:00

"""
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "d3e5f7a9b1c3"
down_revision = "c2d4e6f8a0b1"
branch_labels = None
depends_on = None

ONLINE = ["online", "vneid", "national_portal", "provincial_portal"]
TT244 = "Thông tư số 244/2016/TT-BTC ngày 11/11/2016 của Bộ Tài chính"
TT16 = "Thông tư số 16/2025/TT-BTC (giữ mức thu của Thông tư 244/2016/TT-BTC)"
# (code, name, legal basis, channels, valid from, valid to, {category: amount})
RATES = (
    ("tt244_2016", "Mức thu năm 2016", TT244, None, date(2017, 1, 1), date(2025, 4, 23),
     {"standard": 200000, "reduced": 100000, "exempt": 0}),
    ("tt16_2025", "Mức thu năm 2025", TT16, None, date(2025, 4, 24), None,
     {"standard": 200000, "reduced": 100000, "exempt": 0}),
    ("tt16_2025_online", "Mức thu ưu đãi khi nộp trực tuyến (24/4 – 31/12/2025)", TT16, ONLINE,
     date(2025, 4, 24), date(2025, 12, 31), {"standard": 170000, "reduced": 80000, "exempt": 0}),
)
RULES = [
    {
        "code": f"{code}_{category}",
        "name": name,
        "legal_basis": basis,
        "category": category,
        "channels": channels,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "amount": amount,
        "included_copies": 2,
        # From the third certificate of one request: the cost of printing the form (Thông tư 244/2016).
        "extra_copy_amount": 5000,
    }
    for code, name, basis, channels, valid_from, valid_to, amounts in RATES
    for category, amount in amounts.items()
]
SUBSIDIES = [
    {
        "code": "hanoi_vneid_2024",
        "name": "Thành phố Hà Nội hỗ trợ 100% phí cho yêu cầu trên VNeID",
        "legal_basis": "Chính sách hỗ trợ của UBND thành phố Hà Nội (thí điểm VNeID 2024)",
        "authority_code": "HN",
        "channels": ["vneid"],
        "valid_from": date(2024, 6, 1),
        "valid_to": date(2024, 12, 31),
        "percent": 100,
    }
]


def _table(name, rows):
    types = {"valid_from": sa.Date, "valid_to": sa.Date, "channels": sa.JSON}
    integers = {"amount", "included_copies", "extra_copy_amount", "percent"}
    return sa.table(
        name,
        *(sa.column(key, sa.Integer if key in integers else types.get(key, sa.String)) for key in rows[0]),
    )


def upgrade():
    op.bulk_insert(_table("fee_rules", RULES), RULES)
    op.bulk_insert(_table("fee_subsidies", SUBSIDIES), SUBSIDIES)


def downgrade():
    for name, rows in (("fee_rules", RULES), ("fee_subsidies", SUBSIDIES)):
        op.execute(
            sa.table(name, sa.column("code")).delete().where(sa.column("code").in_([r["code"] for r in rows]))
        )
