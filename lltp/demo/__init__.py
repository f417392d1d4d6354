"""`flask demo load`: a demo province with units, a user for every role, and cases in every stage.

Everything is built through the real services, from a seeded random generator, and committed once at the
end. Later areas add their objects by appending one function to `LOADERS`; each step receives the
`DemoData` built so far (units and users by key, the cases) and adds to it.
"""

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from lltp.accounts.forms import ROLE_LABELS
from lltp.accounts.models import Role, UnitKind, User
from lltp.accounts.services import create_unit, create_user, get_or_create_agency
from lltp.cases import deadlines
from lltp.cases.models import (
    API_CHANNELS,
    CLOSED_STAGES,
    CaseStage,
    Channel,
    DeliveryMethod,
    LegalProfile,
    Sex,
)
from lltp.cases.services import transition
from lltp.cases.workflow import TRANSITIONS, path_to, rule_for
from lltp.core import clock
from lltp.core.audit import Actor
from lltp.core.calendar import working_calendar
from lltp.core.text import fold
from lltp.core.uploads import check_upload
from lltp.demo import delivery as delivery_demo
from lltp.demo import issuance as issuance_demo
from lltp.demo import records as record_demo
from lltp.demo import verification as verification_demo
from lltp.extensions import db
from lltp.intake.models import AttachmentKind, FeeCategory, PaymentMethod
from lltp.intake.services import (
    PaymentInput,
    add_attachment,
    apology_problem,
    issue_apology,
    quote_fee,
    receive_request,
    record_payment,
)
from lltp.intake.validation import validate_request

SEED = 2026
CASE_COUNT = 300
PASSWORD = "Demo-LLTP-2026"
AUTHORITY = "authority"  # the key of the issuing authority's unit


# --- the province: agencies and their units -----------------------------------------------------------


@dataclass(frozen=True)
class DemoUnit:
    key: str
    agency: str | None  # None: the issuing authority, whose name is configuration
    name: str
    kind: UnitKind
    admin_unit_code: str | None = None
    phone: str | None = None


POLICE = "Công an Thành phố Hồ Chí Minh"
UNITS = (
    DemoUnit(AUTHORITY, None, "", UnitKind.ISSUING_AUTHORITY, phone="02838387000"),
    DemoUnit("police", POLICE, "Phòng Hồ sơ nghiệp vụ — Đội Tra cứu tàng thư", UnitKind.PROVINCIAL_POLICE),
    DemoUnit(
        "population",
        POLICE,
        "Phòng Cảnh sát quản lý hành chính về trật tự xã hội — Đội Quản lý cư trú",
        UnitKind.POPULATION_REGISTER,
    ),
    DemoUnit("court", "Tòa án nhân dân Thành phố Hồ Chí Minh", "Phòng Hành chính tư pháp", UnitKind.COURT),
    DemoUnit(
        "regional_court",
        "Tòa án nhân dân khu vực 1 – Thành phố Hồ Chí Minh",
        "Bộ phận Hành chính tư pháp",
        UnitKind.COURT,
    ),
    DemoUnit(
        "procuracy",
        "Viện kiểm sát nhân dân Thành phố Hồ Chí Minh",
        "Phòng Thống kê tội phạm và Công nghệ thông tin",
        UnitKind.PROCURACY,
    ),
    DemoUnit(
        "enforcement",
        "Thi hành án dân sự Thành phố Hồ Chí Minh",
        "Phòng Nghiệp vụ và Tổ chức thi hành án",
        UnitKind.JUDGMENT_ENFORCEMENT,
    ),
    # Two-level local government since 1 July 2025: wards and communes directly under the city.
    DemoUnit(
        "benthanh",
        "Ủy ban nhân dân phường Bến Thành",
        "UBND phường Bến Thành",
        UnitKind.COMMUNE_COMMITTEE,
        "26743",
    ),
    DemoUnit(
        "saigon", "Ủy ban nhân dân phường Sài Gòn", "UBND phường Sài Gòn", UnitKind.COMMUNE_COMMITTEE, "26740"
    ),
    DemoUnit(
        "thuduc", "Ủy ban nhân dân phường Thủ Đức", "UBND phường Thủ Đức", UnitKind.COMMUNE_COMMITTEE, "26824"
    ),
    DemoUnit("cangio", "Ủy ban nhân dân xã Cần Giờ", "UBND xã Cần Giờ", UnitKind.COMMUNE_COMMITTEE, "27664"),
    DemoUnit(
        "post",
        "Tổng công ty Bưu điện Việt Nam (VNPost)",
        "Bưu điện Thành phố Hồ Chí Minh",
        UnitKind.POSTAL_OPERATOR,
    ),
)


def authority_unit_name(authority_name):
    """The record office's name under the configured authority: police and justice departments differ."""
    if authority_name.startswith("Công an"):
        return "Phòng Hồ sơ nghiệp vụ — Lý lịch tư pháp"
    return "Phòng Hành chính tư pháp — Lý lịch tư pháp"


# --- the people who log in ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    unit: str
    role: Role


USERS = (
    DemoUser("tiepnhan", "Nguyễn Thị Thu Hà", AUTHORITY, Role.INTAKE_OFFICER),
    DemoUser("xuly", "Trần Minh Tuấn", AUTHORITY, Role.PROCESSING_OFFICER),
    DemoUser("pheduyet", "Lê Văn Hùng", AUTHORITY, Role.APPROVER),
    DemoUser(issuance_demo.SIGNER, "Nguyễn Hoàng Phúc", AUTHORITY, Role.APPROVER),
    DemoUser("trakq", "Phạm Thị Ngọc Lan", AUTHORITY, Role.RETURNING_OFFICER),
    DemoUser("giamsat", "Võ Thanh Sơn", AUTHORITY, Role.UNIT_SUPERVISOR),
    DemoUser("baocao", "Huỳnh Thị Mai", AUTHORITY, Role.REPORT_READER),
    DemoUser("quantri", "Đặng Quốc Bảo", AUTHORITY, Role.ADMINISTRATOR),
    DemoUser("xacminh.congan", "Bùi Đức Thắng", "police", Role.VERIFIER),
    DemoUser("giamsat.congan", "Đỗ Văn Khải", "police", Role.UNIT_SUPERVISOR),
    DemoUser("xacminh.dancu", "Ngô Thị Bích Ngọc", "population", Role.VERIFIER),
    DemoUser("xacminh.toaan", "Hồ Thị Kim Oanh", "court", Role.VERIFIER),
    DemoUser("xacminh.toakv1", "Dương Minh Trí", "regional_court", Role.VERIFIER),
    DemoUser("xacminh.vienks", "Phan Thanh Liêm", "procuracy", Role.VERIFIER),
    DemoUser("xacminh.thads", "Vũ Thị Hồng Nhung", "enforcement", Role.VERIFIER),
    DemoUser("xacminh.benthanh", "Lý Thị Mỹ Duyên", "benthanh", Role.VERIFIER),
    DemoUser("xacminh.saigon", "Trương Công Hậu", "saigon", Role.VERIFIER),
    DemoUser("xacminh.thuduc", "Mai Thị Thanh Tâm", "thuduc", Role.VERIFIER),
    DemoUser("xacminh.cangio", "Lâm Văn Phước", "cangio", Role.VERIFIER),
)
# Who takes a workflow action: the first of these authority officers whose role the table allows.
WORKFLOW_STAFF = ("tiepnhan", "xuly", "pheduyet", "trakq")


# --- applicants -----------------------------------------------------------------------------------------

FAMILY_NAMES = {
    "Nguyễn": 38, "Trần": 11, "Lê": 9, "Phạm": 7, "Hoàng": 4, "Huỳnh": 4, "Phan": 4, "Vũ": 3, "Võ": 4,
    "Đặng": 2, "Bùi": 2, "Đỗ": 2, "Hồ": 2, "Ngô": 2, "Dương": 1, "Lý": 1,
}  # fmt: skip
MIDDLE_NAMES = {
    Sex.MALE: ("Văn", "Minh", "Đức", "Hoàng", "Thanh", "Quốc", "Hữu", "Công", "Gia", "Tuấn", "Anh"),
    Sex.FEMALE: ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim", "Bảo", "Phương", "Hồng", "Mỹ", "Thị Thu"),
}
GIVEN_NAMES = {
    Sex.MALE: (
        "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Huy", "Hùng", "Khang", "Khoa", "Lộc", "Long",
        "Nam", "Nhân", "Phát", "Phúc", "Quang", "Sơn", "Tài", "Tâm", "Thắng", "Trung", "Tuấn", "Việt", "Vinh",
    ),
    Sex.FEMALE: (
        "Anh", "Châu", "Dung", "Hà", "Hằng", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "My", "Ngân",
        "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Thư", "Trang", "Trâm", "Tuyết", "Uyên", "Vy", "Xuân",
        "Yến",
    ),
}  # fmt: skip
# The CCCD's first three digits: the province where the birth was registered. Mostly this city's own.
BIRTH_PROVINCES = {
    "079": 50, "001": 5, "075": 5, "074": 4, "080": 4, "082": 4, "083": 3, "040": 3, "038": 3, "052": 3,
    "051": 2, "066": 2, "092": 3, "089": 2, "091": 2, "086": 2, "068": 2, "048": 2, "031": 1,
}  # fmt: skip
PHONE_PREFIXES = (
    "086",
    "096",
    "097",
    "098",
    "032",
    "035",
    "038",
    "090",
    "093",
    "070",
    "079",
    "091",
    "094",
    "083",
)
PURPOSES_TYPE_1 = (
    "Bổ sung hồ sơ xin việc",
    "Xuất khẩu lao động sang Nhật Bản",
    "Làm việc tại Hàn Quốc theo chương trình EPS",
    "Du học tại Úc",
    "Bổ sung hồ sơ thi tuyển công chức",
    "Đăng ký kết hôn với người nước ngoài",
    "Hồ sơ đề nghị cấp chứng chỉ hành nghề luật sư",
    "Bổ sung hồ sơ nhận con nuôi",
)
BUSINESS_PURPOSES = ("Thành lập doanh nghiệp", "Làm người quản lý hợp tác xã")
PURPOSES_TYPE_2 = ("Xin thị thực định cư tại Canada", "Để biết nội dung lý lịch tư pháp của bản thân")
AGENCY_PURPOSES = {
    1: ("Công văn số {n}/SNV-CCVC: xác minh lý lịch phục vụ tuyển dụng viên chức",),
    2: (
        "Công văn số {n}/CSĐT-Đ2: phục vụ công tác điều tra vụ án",
        "Công văn số {n}/VKS-P2: phục vụ truy tố vụ án hình sự",
        "Công văn số {n}/TA-HS: phục vụ xét xử vụ án hình sự",
    ),
}
# Who sends an agency's request, by certificate type (Mẫu 05a: a state body; 05b: a procedural body).
REQUESTING_BODIES = {
    1: ("Sở Nội vụ Thành phố Hồ Chí Minh",),
    2: (
        "Cơ quan Cảnh sát điều tra Công an Thành phố Hồ Chí Minh",
        "Viện kiểm sát nhân dân Thành phố Hồ Chí Minh",
        "Tòa án nhân dân Thành phố Hồ Chí Minh",
    ),
}
PROVINCE_NAMES = {
    "079": "Thành phố Hồ Chí Minh", "001": "Thành phố Hà Nội", "075": "tỉnh Đồng Nai",
    "074": "tỉnh Bình Dương", "080": "tỉnh Long An", "082": "tỉnh Tiền Giang", "083": "tỉnh Bến Tre",
    "040": "tỉnh Nghệ An",
    "038": "tỉnh Thanh Hóa", "052": "tỉnh Bình Định", "051": "tỉnh Quảng Ngãi", "066": "tỉnh Đắk Lắk",
    "092": "Thành phố Cần Thơ", "089": "tỉnh An Giang", "091": "tỉnh Kiên Giang", "086": "tỉnh Vĩnh Long",
    "068": "tỉnh Lâm Đồng", "048": "Thành phố Đà Nẵng", "031": "Thành phố Hải Phòng",
}  # fmt: skip
STREETS = (
    "Số 12 đường Lê Lợi, phường Bến Thành", "Số 45 đường Nguyễn Trãi, phường Bến Thành",
    "Số 8 đường Đồng Khởi, phường Sài Gòn", "Số 210 đường Võ Văn Ngân, phường Thủ Đức",
    "Số 31 đường Rừng Sác, xã Cần Giờ", "Số 77 đường Lý Tự Trọng, phường Sài Gòn",
)  # fmt: skip
# (occupation, workplace) while at school, then at work.
SCHOOLING = (("Học sinh", "Trường THPT Lê Quý Đôn"), ("Sinh viên", "Trường Đại học Bách khoa"))
WORK = (
    ("Kỹ sư", "Công ty TNHH Kỹ thuật Sài Gòn"), ("Nhân viên văn phòng", "Công ty Cổ phần Phú Mỹ"),
    ("Giáo viên", "Trường THCS Nguyễn Du"), ("Kế toán", "Công ty TNHH Thương mại Bình An"),
    ("Lao động tự do", None), ("Công nhân", "Công ty TNHH May mặc Việt Tiến"),
)  # fmt: skip
# The scan kept with demo dossiers: a one-page PDF, the same bytes each time, so it is stored once.
DEMO_SCAN = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
NOTES = {
    "request_completion": (
        "Tờ khai chưa kê khai đầy đủ quá trình cư trú từ năm 14 tuổi.",
        "Thiếu bản chụp Căn cước công dân.",
        "Văn bản ủy quyền chưa được công chứng, chứng thực.",
    ),
    "mark_long": (
        "Người yêu cầu đã cư trú tại nhiều tỉnh, thành phố.",
        "Người yêu cầu có thời gian cư trú ở nước ngoài.",
        "Phải xác minh điều kiện đương nhiên được xóa án tích.",
    ),
    "return_draft": ("Sửa lại nơi sinh theo tờ khai.", "Bổ sung thông tin về việc xóa án tích."),
    "refuse": (
        "Người yêu cầu cấp Phiếu số 2 cho người khác không phải con chưa thành niên.",
        "Giấy tờ kèm theo có dấu hiệu giả mạo.",
        "Thiếu văn bản ủy quyền theo quy định.",
    ),
    "withdraw": ("Người yêu cầu có đơn xin rút yêu cầu.", "Người yêu cầu không còn nhu cầu sử dụng Phiếu."),
}

STAGE_WEIGHTS = {
    CaseStage.AWAITING_PAYMENT: 4,
    CaseStage.RECEIVED: 8,
    CaseStage.INCOMPLETE: 4,
    CaseStage.IN_REVIEW: 10,
    CaseStage.VERIFYING: 12,
    CaseStage.DRAFTING: 7,
    CaseStage.AWAITING_SIGNATURE: 6,
    CaseStage.ISSUED: 6,
    CaseStage.RETURNED: 36,
    CaseStage.REFUSED: 3,
    CaseStage.WITHDRAWN: 3,
}
# VNeID carried most requests in Ho Chi Minh City by 2025 (domain §4).
CHANNEL_WEIGHTS = {
    Channel.VNEID: 45,
    Channel.COUNTER: 18,
    Channel.NATIONAL_PORTAL: 8,
    Channel.PROVINCIAL_PORTAL: 8,
    Channel.ONLINE: 6,
    Channel.POST: 7,
    Channel.AGENCY: 8,
}
ONLINE_CHANNELS = API_CHANNELS | {Channel.ONLINE}


@dataclass
class DemoData:
    """What the loader steps have built so far, for the steps after them."""

    rng: random.Random
    now: datetime
    actor: Actor
    units: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    cases: list = field(default_factory=list)
    # (case, steps) of the cases past approval: approved once the record database is loaded.
    deferred: list = field(default_factory=list)
    record_documents: int = 0


def load_units(demo):
    """A dozen units: the issuing authority, the police, courts, procuracy, enforcement, wards, the post."""
    authority_name = current_app.config["LLTP_AUTHORITY_NAME"]
    for spec in UNITS:
        agency = get_or_create_agency(spec.agency or authority_name)
        name = spec.name or authority_unit_name(authority_name)
        demo.units[spec.key] = create_unit(
            agency=agency,
            name=name,
            kind=spec.kind,
            admin_unit_code=spec.admin_unit_code,
            phone=spec.phone,
            actor=demo.actor,
        )


def load_users(demo):
    """A user for every role, all with the demo password; the second factor is enrolled at first login."""
    for spec in USERS:
        demo.users[spec.username] = create_user(
            username=spec.username,
            full_name=spec.full_name,
            unit=demo.units[spec.unit],
            roles=[spec.role],
            password=PASSWORD,
            email=f"{spec.username}@lltp.example",
            actor=demo.actor,
        )


# --- cases ----------------------------------------------------------------------------------------------


class OfficeTimeline:
    """Office minutes (08:00–17:00 on working days) counted from a working day some weeks back, so that
    events fall in office hours, in order, and never after `now`."""

    DAY_MINUTES = 9 * 60

    def __init__(self, calendar, now, weeks_back=14):
        today = clock.local_date(now)
        self.days = [
            d for d in _dates(today - timedelta(weeks=weeks_back), today) if calendar.is_working_day(d)
        ]
        local_now = clock.to_local(now)
        minutes_today = min((local_now.hour - 8) * 60 + local_now.minute, self.DAY_MINUTES)
        last = len(self.days) - 1
        if self.days[last] == today and minutes_today <= 0:
            last -= 1  # the office has not opened yet today
        self.last_day = last
        self.now = last * self.DAY_MINUTES + (minutes_today if self.days[last] == today else self.DAY_MINUTES)

    def day_start(self, working_days_back):
        """The opening of the office `working_days_back` working days before the last one that opened."""
        return (self.last_day - working_days_back) * self.DAY_MINUTES

    def moment(self, position):
        day = self.days[int(position // self.DAY_MINUTES)]
        opening = datetime(day.year, day.month, day.day, 8, tzinfo=clock.local_tz())
        return opening + timedelta(minutes=position % self.DAY_MINUTES)


def _dates(first, last):
    return (first + timedelta(days=n) for n in range((last - first).days + 1))


def spread(rng, weights, count):
    """`count` members: each at least once (so every stage and channel shows), the rest by weight."""
    members = list(type(next(iter(weights))))
    chosen = members + rng.choices(members, [weights.get(m, 1) for m in members], k=count - len(members))
    rng.shuffle(chosen)
    return chosen


def applicant(rng, today, taken_ids):
    sex = rng.choice((Sex.MALE, Sex.FEMALE))
    family = rng.choices(list(FAMILY_NAMES), list(FAMILY_NAMES.values()))[0]
    name = f"{family} {rng.choice(MIDDLE_NAMES[sex])} {rng.choice(GIVEN_NAMES[sex])}"
    low, high = rng.choices(((18, 25), (26, 35), (36, 50), (51, 70)), (30, 35, 25, 10))[0]
    born = date(today.year - rng.randint(low, high), 1, 1) + timedelta(days=rng.randint(0, 364))
    province = rng.choices(list(BIRTH_PROVINCES), list(BIRTH_PROVINCES.values()))[0]
    # After the province: century and sex (0/1 for men/women born in the 1900s, 2/3 in the 2000s), the
    # last two digits of the birth year, then six digits.
    century_sex = (0 if born.year < 2000 else 2) + (sex is Sex.FEMALE)
    id_number = None
    while id_number is None or id_number in taken_ids:
        id_number = f"{province}{century_sex}{born.year % 100:02d}{rng.randint(0, 999_999):06d}"
    taken_ids.add(id_number)
    email = None
    if rng.random() < 0.6:
        email = f"{fold(name).split()[-1]}.{fold(family)}{rng.randint(1, 99)}@example.com"
    return {
        "applicant_full_name": name.upper(),
        "applicant_date_of_birth": born,
        "applicant_sex": sex,
        "applicant_id_number": id_number,
        "applicant_phone": f"{rng.choice(PHONE_PREFIXES)}{rng.randint(0, 9_999_999):07d}",
        "applicant_email": email,
    }


def request_details(rng, channel):
    """Certificate type, purpose, copies, delivery and urgency, as the channel makes likely."""
    if channel is Channel.AGENCY:
        certificate_type = rng.choice((1, 2, 2))
        purpose = rng.choice(AGENCY_PURPOSES[certificate_type]).format(n=rng.randint(100, 4999))
        is_urgent = certificate_type == 2 and rng.random() < 0.4
    else:
        certificate_type = 2 if rng.random() < 0.12 else 1
        purposes = PURPOSES_TYPE_2 if certificate_type == 2 else PURPOSES_TYPE_1 + BUSINESS_PURPOSES
        purpose = rng.choice(purposes)
        is_urgent = False
    if channel in ONLINE_CHANNELS:
        delivery = rng.choices(list(DeliveryMethod), (75, 15, 10))[0]
    elif channel is Channel.COUNTER:
        delivery = DeliveryMethod.COUNTER
    elif channel is Channel.POST:
        delivery = DeliveryMethod.POST  # who writes in by post takes the result by post
    else:
        delivery = rng.choice((DeliveryMethod.POST, DeliveryMethod.COUNTER))
    return {
        "certificate_type": certificate_type,
        "purpose": purpose,
        "include_ban_section": purpose in BUSINESS_PURPOSES,
        "copies": rng.choices((1, 2, 3), (75, 20, 5))[0],
        "delivery_method": delivery,
        "is_urgent": is_urgent,
    }


def actions_to(rng, stage, channel):
    """The actions that take a new case to `stage`: the shortest path, with the detours real cases take."""
    if stage in (CaseStage.REFUSED, CaseStage.WITHDRAWN):
        action = "refuse" if stage is CaseStage.REFUSED else "withdraw"
        # Agencies pay no fee, so their requests are never refused or withdrawn while waiting for one.
        unpaid = (CaseStage.AWAITING_PAYMENT,) if channel is Channel.AGENCY else ()
        before = rng.choice([s for (s, a) in TRANSITIONS if a == action and s not in (None, *unpaid)])
        return [*actions_to(rng, before, channel), action]
    actions = list(path_to(stage))
    # Our own online form always waits for the fee; the national systems mostly send paid requests.
    if actions[0] == "receive" and (
        channel is Channel.ONLINE or (channel in ONLINE_CHANNELS and rng.random() < 0.5)
    ):
        actions[:1] = ["submit", "record_payment"]
    first_start = next((i for i, action in enumerate(actions) if action in deadlines.CLOCK_STARTS), None)
    if first_start is not None and rng.random() < 0.12:
        actions[first_start + 1 : first_start + 1] = ["request_completion", "complete_dossier"]
    if "start_drafting" in actions and (channel is Channel.VNEID or rng.random() < 0.6):
        at = actions.index("start_drafting")
        actions[at : at + 1] = ["start_verification", "finish_verification"]
    if "start_review" in actions and rng.random() < 0.08:
        actions.insert(actions.index("start_review") + 1, "mark_long")
    if "approve" in actions and rng.random() < 0.1:
        at = actions.index("approve")
        actions[at:at] = ["return_draft", "submit_for_signature"]
    return actions


def working_days_back(rng, stage, limit):
    """How many working days ago the count (re)started, chosen so that some open cases are on time, some
    at risk and some overdue today."""
    if stage is CaseStage.AWAITING_PAYMENT:
        return rng.randint(0, 3)
    if stage is CaseStage.INCOMPLETE:
        return rng.randint(1, 8)
    if stage is CaseStage.ISSUED:
        return rng.randint(1, limit)
    if stage not in deadlines.PRE_SIGNED:
        return rng.randint(1, 20)
    mood = rng.choices(("on_time", "at_risk", "overdue"), (60, 26, 14))[0]
    if mood == "overdue":
        return limit + rng.randint(1, 6)
    if mood == "at_risk":
        threshold = 2 if stage in deadlines.PRE_VERIFIED else 1
        return limit - rng.randint(1, threshold)
    return rng.randint(0, max(0, limit - 3))


def event_times(rng, actions, stage, *, timeline, days_back, limit, is_urgent):
    """Increasing past moments for `actions`, the last clock start `days_back` working days ago."""
    starts = [i for i, action in enumerate(actions) if action in deadlines.CLOCK_STARTS] or [0]
    anchor_index = starts[-1]
    anchor = min(timeline.day_start(days_back) + rng.randint(0, 500), timeline.now - 60)
    positions = [anchor]
    for action in reversed(actions[1 : anchor_index + 1]):
        gap = rng.randint(540, 2160) if action == "complete_dossier" else rng.randint(15, 480)
        positions.insert(0, positions[0] - gap)
    later = len(actions) - anchor_index - 1
    if stage in CLOSED_STAGES or stage is CaseStage.ISSUED:
        span = rng.randint(120, 900) if is_urgent else rng.randint(1, limit + 2) * timeline.DAY_MINUTES
        end = min(anchor + span, timeline.now - 5)
    else:
        end = anchor + (timeline.now - 5 - anchor) * rng.uniform(0.2, 0.9)
    positions += sorted(rng.uniform(anchor + 1, end) for _ in range(later))
    return [timeline.moment(p) for p in positions]


def _birthday(born, age):
    """The day `born` turns `age`; 1 March for a 29 February birthday in a common year."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return date(born.year + age, 3, 1)


def residence_history(rng, born, hometown, address, today):
    """From the 14th birthday to now, without gaps: school at home, university, then work in the city."""
    school, university = SCHOOLING
    periods = [
        (_birthday(born, 14), date(born.year + 18, 8, 31), hometown, school),
        (date(born.year + 18, 9, 1), date(born.year + 22, 8, 31), "Thành phố Hồ Chí Minh", university),
        (date(born.year + 22, 9, 1), None, address, rng.choice(WORK)),
    ]
    periods = [period for period in periods if period[0] <= today]
    rows = [
        {"from": start, "to": end, "address": place, "occupation": job[0], "workplace": job[1]}
        for start, end, place, job in periods
    ]
    rows[-1]["to"] = None
    return rows


def relative(rng, family, sex, born_year):
    return {
        "full_name": f"{family} {rng.choice(MIDDLE_NAMES[sex])} {rng.choice(GIVEN_NAMES[sex])}".upper(),
        "birth_year": born_year,
    }


def fee_category(rng, age):
    if age <= 24 and rng.random() < 0.25:
        return FeeCategory.REDUCED  # pupils and students
    if age >= 60 and rng.random() < 0.4:
        return FeeCategory.EXEMPT  # the elderly
    return FeeCategory.STANDARD


def request_document(rng, fields, channel, *, at, pays_at_once):
    """The tờ khai (or agency request) behind `fields`, as the validator takes it from a form."""
    day = clock.local_date(at)
    born = fields["applicant_date_of_birth"]
    family = fields["applicant_full_name"].split()[0]
    hometown = PROVINCE_NAMES[fields["applicant_id_number"][:3]]
    address = f"{rng.choice(STREETS)}, Thành phố Hồ Chí Minh"
    category = fee_category(rng, day.year - born.year) if pays_at_once else FeeCategory.STANDARD
    document = {
        "certificate_type": fields["certificate_type"],
        "include_ban_section": fields["include_ban_section"],
        "purpose": fields["purpose"],
        "copies": fields["copies"],
        "applicant": {
            "full_name": fields["applicant_full_name"],
            "other_names": [],
            "sex": fields["applicant_sex"],
            "date_of_birth": born,
            "place_of_birth": hometown,
            "nationality": "VN",
            "ethnicity": "Kinh",
            "id_document": {
                "type": "cccd",
                "number": fields["applicant_id_number"],
                "issued_on": max(_birthday(born, 14), date(2021, 1, 4)) + timedelta(days=rng.randint(0, 900)),
                "issued_by": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
            },
            "permanent_address": address,
            "temporary_address": None,
            "phone": fields["applicant_phone"],
            "email": fields["applicant_email"],
            "father": relative(rng, family, Sex.MALE, born.year - rng.randint(24, 35)),
            "mother": relative(
                rng, rng.choice(list(FAMILY_NAMES)), Sex.FEMALE, born.year - rng.randint(20, 32)
            ),
            "spouse": None,
            "residence_history": residence_history(rng, born, hometown, address, day),
        },
        "requester": None,
        "fee": {
            "category": category,
            "paid": pays_at_once,
            "payment_reference": f"PAY-{rng.randint(10**7, 10**8 - 1)}",
        },
        "delivery": {
            "method": fields["delivery_method"],
            "postal_address": address if fields["delivery_method"] is DeliveryMethod.POST else None,
        },
    }
    if channel in ONLINE_CHANNELS - {Channel.ONLINE}:
        document["external_id"] = f"{channel.value.upper()}-{day:%Y%m%d}-{rng.randint(0, 999_999):06d}"
        document["submitted_at"] = at
    if channel is Channel.POST:
        document["postal"] = {
            "tracking_number": f"EB{rng.randint(10**8, 10**9 - 1)}VN",
            "arrived_on": day,
            "certified_signature": fields["certificate_type"] == 2,
            "certified_signature_reference": "Chứng thực chữ ký tại UBND phường Bến Thành"
            if fields["certificate_type"] == 2
            else None,
        }
    if channel is Channel.AGENCY:
        by_phone = fields["is_urgent"] and rng.random() < 0.7
        document["agency"] = {
            "name": rng.choice(REQUESTING_BODIES[fields["certificate_type"]]),
            "letter_number": None if by_phone else f"{rng.randint(100, 4999)}/CV",
            "letter_date": None if by_phone else day,
            "is_urgent": fields["is_urgent"],
            "notified_by": rng.choice(("phone", "fax")) if by_phone else "paper",
        }
    return document


@dataclass(frozen=True)
class CasePlan:
    channel: Channel
    fields: dict
    request: dict  # the tờ khai, as a form gives it to the validator
    steps: list  # (action, moment, note)


def plan_cases(rng, now):
    """What each case will be and when each of its events happened, before any is built."""
    today = clock.local_date(now)
    timeline = OfficeTimeline(working_calendar(), now)
    profiles = db.session.scalars(sa.select(LegalProfile)).all()
    taken_ids = set()
    plans = []
    for stage, channel in zip(
        spread(rng, STAGE_WEIGHTS, CASE_COUNT), spread(rng, CHANNEL_WEIGHTS, CASE_COUNT), strict=True
    ):
        if stage is CaseStage.AWAITING_PAYMENT and channel is Channel.AGENCY:
            channel = Channel.COUNTER  # agencies pay no fee, so their requests never wait for one
        fields = {**applicant(rng, today, taken_ids), **request_details(rng, channel)}
        actions = actions_to(rng, stage, channel)
        profile = deadlines.choose_profile(profiles, today, channel)
        limit = deadlines.limit_days(
            profile, is_long="mark_long" in actions, delivery_method=fields["delivery_method"]
        )
        times = event_times(
            rng,
            actions,
            stage,
            timeline=timeline,
            days_back=working_days_back(rng, stage, limit),
            limit=limit,
            is_urgent=fields["is_urgent"],
        )
        notes = [rng.choice(NOTES[action]) if action in NOTES else None for action in actions]
        request = request_document(rng, fields, channel, at=times[0], pays_at_once=actions[0] == "receive")
        plans.append(CasePlan(channel, fields, request, list(zip(actions, times, notes, strict=True))))
    return issuance_demo.with_repeat_applicant(plans)


def load_cases(demo):
    """300 cases over every stage and channel, received over the last weeks, built through intake and the
    workflow: a full tờ khai, the fee, payments and a scan of the ID document.

    They are opened in the order they came in, so each day's case codes run in time order. A case past
    approval stops before it: its certificate is composed from the record database, loaded later."""
    scan = check_upload(DEMO_SCAN, "scan.pdf", max_bytes=len(DEMO_SCAN), field="scan")
    for plan in sorted(plan_cases(demo.rng, demo.now), key=lambda plan: plan.steps[0][1]):
        actions = [action for action, _at, _note in plan.steps]
        stop = actions.index("approve") if "approve" in actions else len(actions)
        action, at, _note = plan.steps[0]
        actor = Actor(user=_staff_for(demo, None, action))
        case = receive_demo_request(demo, plan, action, at=at, actor=actor, scan=scan)
        for step in plan.steps[1:stop]:
            take_step(demo, case, *step)
        if stop < len(actions):
            demo.deferred.append((case, plan.steps[stop:]))
        demo.cases.append(case)


def _staff_for(demo, stage, action):
    """The first workflow officer whose role the table allows for `action` from `stage`."""
    roles = rule_for(stage, action)[1]
    return next(demo.users[name] for name in WORKFLOW_STAFF if demo.users[name].roles & roles)


def take_step(demo, case, action, at, note):
    """One planned step of a case, through the service that takes it for real."""
    actor = Actor(user=_staff_for(demo, case.stage, action))
    if action == "record_payment":
        owed = case.declaration.fee_amount
        payment = (
            PaymentInput(PaymentMethod.BANK_TRANSFER, owed, reference=f"FT{case.id:08d}") if owed else None
        )
        record_payment(case, payment, actor=actor, fee_proof_checked=True, at=at)
    elif action == "finish_verification" and verification_demo.answer_all(demo, case, at=at):
        pass  # the last answer moved the case on to drafting
    elif action == "approve":
        issuance_demo.approve_case(demo, case, at=at)
    elif action == "record_return":
        delivery_demo.return_case(demo, case, at=at)
    else:
        transition(case, action, actor=actor, note=note, at=at)


def finish_cases(demo):
    """The steps from approval on, in the order of approval, so that certificate numbers follow the dates."""
    for case, steps in sorted(demo.deferred, key=lambda item: item[1][0][1]):
        for step in steps:
            take_step(demo, case, *step)


def receive_demo_request(demo, plan, action, *, at, actor, scan):
    """The case's first step: the request checked by the validator and received as its channel would."""
    request = validate_request(
        plan.request, channel=plan.channel, today=clock.local_date(at), date_style="vn"
    )
    payment = None
    if action == "receive" and plan.channel in (Channel.COUNTER, Channel.POST):
        amount = quote_fee(request, channel=plan.channel, day=clock.local_date(at)).amount
        method = PaymentMethod.CASH if plan.channel is Channel.COUNTER else PaymentMethod.POSTAL
        payment = (
            PaymentInput(method, amount, receipt_number=f"BL{demo.rng.randint(10**5, 10**6 - 1)}")
            if amount
            else None
        )
    case = receive_request(
        request, channel=plan.channel, actor=actor, at=at, payment=payment, fee_proof_checked=True
    )
    expected = CaseStage.AWAITING_PAYMENT if action == "submit" else CaseStage.RECEIVED
    if case.stage is not expected:
        raise RuntimeError(f"demo case {case.code} is {case.stage}, planned {expected}")
    kinds = [AttachmentKind.AGENCY_LETTER if plan.channel is Channel.AGENCY else AttachmentKind.ID_DOCUMENT]
    if case.declaration.fee_category != FeeCategory.STANDARD:
        kinds.append(AttachmentKind.FEE_PROOF)
    if plan.channel not in ONLINE_CHANNELS - {Channel.ONLINE}:
        for kind in kinds:
            attachment = add_attachment(
                DEMO_SCAN, scan, filename=f"{kind.value}.pdf", kind=kind, actor=actor, case=case
            )
            attachment.uploaded_at = at  # scanned at the desk when the dossier came in
    return case


APOLOGY_REASON = "Hồ sơ cần chờ kết quả xác minh của cơ quan phối hợp nên chưa trả kết quả đúng hẹn."


def load_apologies(demo):
    """The first two open cases at risk of missing their date get the apology with a new date, three
    working days later, as the intake officer issues it (once, at least a working day before the date)."""
    calendar = working_calendar()
    actor = Actor(user=demo.users["tiepnhan"])
    candidates = [case for case in demo.cases if apology_problem(case, now=demo.now) is None]
    for case in candidates[:2]:
        new_date = calendar.add_working_days(case.due_date, 3)
        issue_apology(case, new_date=new_date, reason=APOLOGY_REASON, actor=actor)


def load_record_database(demo):
    """The judicial-record database: people (some of them applicants, some look-alikes) and convictions."""
    names = SimpleNamespace(family=FAMILY_NAMES, middle=MIDDLE_NAMES, given=GIVEN_NAMES)
    record_demo.load_records(demo, names)


# Each step adds one kind of object; later areas append theirs (verification tasks, certificates).
LOADERS = [
    load_units,
    load_users,
    load_cases,
    load_record_database,
    verification_demo.load_tasks,
    issuance_demo.prepare_signing,
    finish_cases,
    issuance_demo.load_decisions,
    delivery_demo.load_open_shipments,
    load_apologies,
]


def load(*, now=None, seed=SEED):
    """Build the whole demo province in the current transaction; the caller commits."""
    demo = DemoData(rng=random.Random(seed), now=now or clock.now(), actor=Actor.system("demo"))
    for step in LOADERS:
        step(demo)
    db.session.flush()
    return demo


@click.group("demo")
def demo_cli():
    """Demo data."""


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Không làm gì nếu cơ sở dữ liệu đã có người dùng.")
@with_appcontext
def load_command(if_empty):
    """Load the demo province into an empty database (never in production)."""
    if current_app.config["LLTP_ENV"] == "production":
        raise click.ClickException("Không nạp dữ liệu mẫu vào hệ thống đang vận hành (LLTP_ENV=production).")
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        if if_empty:
            click.echo("Cơ sở dữ liệu đã có người dùng: bỏ qua, không nạp dữ liệu mẫu.")
            return
        raise click.ClickException(
            "Cơ sở dữ liệu đã có người dùng: chỉ nạp dữ liệu mẫu vào cơ sở dữ liệu trống."
        )
    started = time.perf_counter()
    demo = load()
    db.session.commit()
    seconds = f"{time.perf_counter() - started:.1f}".replace(".", ",")
    click.echo(
        f"Đã nạp dữ liệu mẫu: {len(demo.units)} đơn vị, {len(demo.users)} người dùng, "
        f"{len(demo.cases)} hồ sơ, {demo.record_documents} tài liệu lý lịch tư pháp ({seconds} giây)."
    )


def _unit_label(unit):
    return unit.name if unit.kind is UnitKind.COMMUNE_COMMITTEE else f"{unit.name} ({unit.agency.name})"


@demo_cli.command("logins")
@with_appcontext
def logins_command():
    """Print the demo logins: username, role, unit and the shared password."""
    usernames = [spec.username for spec in USERS]
    users = {u.username: u for u in db.session.scalars(sa.select(User).where(User.username.in_(usernames)))}
    if not users:
        raise click.ClickException("Chưa có dữ liệu mẫu. Chạy `flask demo load` trước.")
    rows = [
        (spec.username, str(ROLE_LABELS[spec.role]), PASSWORD, _unit_label(users[spec.username].unit))
        for spec in USERS
        if spec.username in users
    ]
    headers = ("Tên đăng nhập", "Vai trò", "Mật khẩu", "Đơn vị")
    widths = [max(len(row[i]) for row in (headers, *rows)) for i in range(len(headers) - 1)]
    click.echo("Tài khoản dùng thử:")
    for row in (headers, *rows):
        click.echo(
            "  "
            + "  ".join(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True))
            + "  "
            + row[-1]
        )
    click.echo(
        "Tài khoản phê duyệt (pheduyet) và quản trị (quantri) phải đăng ký xác thực hai lớp (TOTP) "
        "bằng ứng dụng xác thực ở lần đăng nhập đầu tiên."
    )
    signer = users.get(issuance_demo.SIGNER)
    if signer is not None and signer.has_two_factor:
        click.echo(
            f"Tài khoản {signer.username} đã ký các Phiếu mẫu và đã bật xác thực hai lớp: thêm khóa "
            f"{signer.totp_secret} vào ứng dụng xác thực để đăng nhập."
        )
