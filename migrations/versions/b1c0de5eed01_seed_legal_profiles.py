"""seed the three legal profiles of domain §6

They are data that administrators edit afterwards; this is what a new installation starts with.

Revision ID: b1c0de5eed01
Revises: 8a8c7b907bd0
Create Date: 2026-11-22 08:00:00

"""
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "b1c0de5eed01"
down_revision = "8a8c7b907bd0"
branch_labels = None
depends_on = None

PROFILES = (
    {
        "code": "law_2009",
        "name": "Luật Lý lịch tư pháp 2009",
        "legal_basis": "Luật Lý lịch tư pháp số 28/2009/QH12, Điều 48",
        "valid_from": date(2010, 7, 1),
        "valid_to": None,
        "channels": None,
        "standard_days": 10,
        "long_days": 15,
        "urgent_hours": 24,
        "paper_return_extra_days": 0,
        "long_conditions": "Người yêu cầu đã cư trú ở nhiều tỉnh hoặc ở nước ngoài, là người nước ngoài, "
        "hoặc phải xác minh điều kiện đương nhiên được xóa án tích.",
        "notes": "Áp dụng cho mọi trường hợp không thuộc hồ sơ khác, kể cả 7/2025 – 6/2026.",
    },
    {
        "code": "vneid_pilot_2024",
        "name": "Thí điểm VNeID (Quy trình 570)",
        "legal_basis": "Quy trình số 570/TTLLTPQG-QLHC ngày 20/9/2024",
        "valid_from": date(2024, 10, 1),
        "valid_to": date(2025, 6, 30),
        "channels": ["vneid"],
        "standard_days": 3,
        "long_days": 9,
        "urgent_hours": None,
        "paper_return_extra_days": 1,
        "long_conditions": "CSDL lý lịch tư pháp có án tích của người yêu cầu, hoặc cần xác minh ngoài việc "
        "tra cứu thường lệ của Công an.",
        "notes": "Trả kết quả bản giấy cộng thêm 01 ngày làm việc.",
    },
    {
        "code": "law_2026",
        "name": "Luật 107/2025/QH15",
        "legal_basis": "Luật sửa đổi, bổ sung Luật Lý lịch tư pháp số 107/2025/QH15",
        "valid_from": date(2026, 7, 1),
        "valid_to": None,
        "channels": None,
        "standard_days": 5,
        "long_days": None,
        "urgent_hours": 24,
        "paper_return_extra_days": 0,
        "long_conditions": None,
        "notes": "Thời hạn dài và thời hạn khẩn chưa được xác nhận từ văn bản hướng dẫn: quản trị viên cập nhật "
        "khi có nghị định.",
    },
)


def upgrade():
    types = {
        "valid_from": sa.Date,
        "valid_to": sa.Date,
        "channels": sa.JSON,
        "updated_at": sa.DateTime,
        "standard_days": sa.Integer,
        "long_days": sa.Integer,
        "urgent_hours": sa.Integer,
        "paper_return_extra_days": sa.Integer,
    }
    table = sa.table(
        "legal_profiles",
        *(sa.column(name, types.get(name, sa.String)) for name in [*PROFILES[0], "updated_at"]),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(table, [dict(profile, updated_at=now) for profile in PROFILES])


def downgrade():
    op.execute(
        sa.table("legal_profiles", sa.column("code")).delete().where(
            sa.column("code").in_([p["code"] for p in PROFILES])
        )
    )
