"""The demo's judicial-record database: a few thousand people, look-alikes of applicants, and convictions
in every state the engine knows (in force, expunged, never a record, court decision only, amnesty,
blocked by an unpaid court fee or a pending prosecution, restarted by a new offence, pre-2010 without
outcome), built as records-contract documents and imported as an agency's file would be.
"""

import json
from dataclasses import dataclass
from datetime import date, timedelta

from lltp.cases.models import CaseStage, Channel, Sex
from lltp.core import clock
from lltp.records.services.imports import import_file

PEOPLE_COUNT = 3000
AGENCIES = {
    "person": "CA-HCM",
    "judgment": "TAND-HCM",
    "enforcement": "THADS-HCM",
    "prosecution": "CA-HCM",
    "ban": "TAND-HCM",
}
PLACES = (
    "Phường Bến Thành, TP Hồ Chí Minh",
    "Phường Sài Gòn, TP Hồ Chí Minh",
    "Phường Thủ Đức, TP Hồ Chí Minh",
    "Xã Cần Giờ, TP Hồ Chí Minh",
    "Phường Hoàn Kiếm, TP Hà Nội",
    "Phường Hải Châu, TP Đà Nẵng",
    "Xã Long Hựu, tỉnh Tây Ninh",
    "Phường Vũng Tàu, TP Hồ Chí Minh",
    "Xã Phong Điền, TP Cần Thơ",
)
COURTS = (
    "Tòa án nhân dân Thành phố Hồ Chí Minh",
    "Tòa án nhân dân khu vực 1 – Thành phố Hồ Chí Minh",
    "Tòa án nhân dân khu vực 4 – Thành phố Hồ Chí Minh",
)


@dataclass(frozen=True)
class Crime:
    name: str
    article: str
    clause: str
    chapter: str
    severity: str
    intent: str = "intentional"


THEFT = Crime("Trộm cắp tài sản", "173", "1", "XVI", "less_serious")
ROBBERY = Crime("Cướp giật tài sản", "171", "2", "XVI", "serious")
FRAUD = Crime("Lừa đảo chiếm đoạt tài sản", "174", "3", "XVI", "very_serious")
ASSAULT = Crime(
    "Cố ý gây thương tích hoặc gây tổn hại cho sức khỏe của người khác", "134", "1", "XIV", "less_serious"
)
DRUGS = Crime("Tàng trữ trái phép chất ma túy", "249", "1", "XX", "serious")
GAMBLING = Crime("Đánh bạc", "321", "1", "XXI", "less_serious")
TRAFFIC = Crime(
    "Vi phạm quy định về tham gia giao thông đường bộ", "260", "1", "XXI", "less_serious", "negligent"
)
PROPAGANDA = Crime(
    "Làm, tàng trữ, phát tán hoặc tuyên truyền thông tin, tài liệu, vật phẩm nhằm chống Nhà nước Cộng hòa xã "
    "hội chủ nghĩa Việt Nam",
    "117",
    "1",
    "XIII",
    "very_serious",
)


class Builder:
    """Documents for one demo province: people, then what the courts and enforcement offices sent."""

    def __init__(self, rng, today):
        self.rng, self.today = rng, today
        self.documents = []
        self.serial = 0
        self.people = 0

    def ref(self, kind):
        self.serial += 1
        return f"{AGENCIES[kind]}/{self.serial:06d}"

    def person(
        self, *, full_name, sex, born, precision="day", place=None, id_numbers=(), father=None, mother=None
    ):
        ref = self.ref("person")
        self.people += 1
        self.documents.append(
            {
                "kind": "person",
                "source_ref": ref,
                "full_name": full_name,
                "other_names": [],
                "sex": sex,
                "date_of_birth": born.isoformat(),
                "date_of_birth_precision": precision,
                "place_of_birth": place or self.rng.choice(PLACES),
                "nationality": "VN",
                "id_numbers": [{"type": kind, "number": number} for kind, number in id_numbers],
                "father_name": father,
                "mother_name": mother,
                "residence": self.rng.choice(PLACES),
            }
        )
        return ref

    def judgment(self, person_ref, crime, *, committed, penalty, effective=None, fee=200_000, extra=None):
        effective = effective or committed + timedelta(days=self.rng.randint(120, 300))
        ref = self.ref("judgment")
        number = f"{self.rng.randint(1, 480)}/{effective.year}/HS-ST"
        self.documents.append(
            {
                "kind": "judgment",
                "source_ref": ref,
                "person_ref": person_ref,
                "number": number,
                "pronounced_on": (effective - timedelta(days=30)).isoformat(),
                "effective_on": effective.isoformat(),
                "court": self.rng.choice(COURTS),
                "offences": [
                    {
                        "name": crime.name,
                        "code": "BLHS2015",
                        "article": crime.article,
                        "clause": crime.clause,
                        "chapter": crime.chapter,
                        "severity": crime.severity,
                        "intent": crime.intent,
                        "committed_on": committed.isoformat(),
                    }
                ],
                "principal_penalty": {
                    "type": "prison",
                    "months": None,
                    "suspended": False,
                    "probation_months": None,
                    "fine_amount": None,
                    **penalty,
                },
                "exempted_from_punishment": False,
                "reform_school": False,
                "additional_penalties": [],
                "court_fee": fee,
                "civil_obligations": [],
                **(extra or {}),
            }
        )
        return ref, effective

    def event(self, judgment_ref, event, on):
        self.documents.append(
            {
                "kind": "enforcement",
                "source_ref": self.ref("enforcement"),
                "judgment_ref": judgment_ref,
                "event": event,
                "on": on.isoformat(),
            }
        )

    def prosecution(self, person_ref, committed, status="pending"):
        document = {
            "kind": "prosecution",
            "source_ref": self.ref("prosecution"),
            "person_ref": person_ref,
            "committed_on": committed.isoformat(),
            "opened_on": (committed + timedelta(days=20)).isoformat(),
            "status": status,
        }
        if status != "pending":
            document["status_on"] = (committed + timedelta(days=200)).isoformat()
        self.documents.append(document)

    def ban(self, person_ref, decided):
        self.documents.append(
            {
                "kind": "ban",
                "source_ref": self.ref("ban"),
                "person_ref": person_ref,
                "decision_number": f"{self.rng.randint(1, 60)}/{decided.year}/QĐ-PS",
                "decided_on": decided.isoformat(),
                "court": COURTS[0],
                "post": "Giám đốc, thành viên Hội đồng quản trị doanh nghiệp",
                "starts_on": decided.isoformat(),
                "ends_on": (decided.replace(year=decided.year + 3)).isoformat(),
            }
        )

    def years_ago(self, years):
        return self.today - timedelta(days=int(365.25 * years) + self.rng.randint(0, 60))

    # Each conviction history below is one state the engine must explain.

    def in_force(self, ref):
        committed = self.years_ago(4)
        judgment, effective = self.judgment(
            ref, self.rng.choice((THEFT, ROBBERY, DRUGS)), committed=committed, penalty={"months": 30}
        )
        self.event(judgment, "principal_completed", effective + timedelta(days=850))
        self.event(judgment, "court_fee_paid", effective + timedelta(days=40))

    def expunged(self, ref):
        committed = self.years_ago(self.rng.randint(8, 14))
        judgment, effective = self.judgment(
            ref, self.rng.choice((THEFT, ASSAULT, GAMBLING)), committed=committed, penalty={"months": 12}
        )
        self.event(judgment, "principal_completed", effective + timedelta(days=360))
        self.event(judgment, "court_fee_paid", effective + timedelta(days=30))

    def unpaid_fee(self, ref):
        committed = self.years_ago(12)
        judgment, effective = self.judgment(ref, THEFT, committed=committed, penalty={"months": 9})
        self.event(judgment, "principal_completed", effective + timedelta(days=270))

    def suspended(self, ref):
        committed = self.years_ago(6)
        judgment, effective = self.judgment(
            ref,
            GAMBLING,
            committed=committed,
            penalty={"months": 12, "suspended": True, "probation_months": 24},
        )
        self.event(judgment, "probation_completed", effective + timedelta(days=730))
        self.event(judgment, "court_fee_paid", effective + timedelta(days=20))

    def fined(self, ref):
        committed = self.years_ago(5)
        judgment, effective = self.judgment(
            ref, GAMBLING, committed=committed, penalty={"type": "fine", "fine_amount": 20_000_000}
        )
        self.event(judgment, "fine_paid", effective + timedelta(days=60))
        self.event(judgment, "court_fee_paid", effective + timedelta(days=60))

    def negligent(self, ref):
        judgment, effective = self.judgment(
            ref,
            TRAFFIC,
            committed=self.years_ago(3),
            penalty={"months": 18, "suspended": True, "probation_months": 36},
        )
        self.event(judgment, "court_fee_paid", effective + timedelta(days=15))

    def court_only(self, ref):
        judgment, effective = self.judgment(
            ref, PROPAGANDA, committed=self.years_ago(15), penalty={"months": 60}
        )
        self.event(judgment, "principal_completed", effective + timedelta(days=1800))
        self.event(judgment, "court_fee_paid", effective + timedelta(days=30))

    def amnesty(self, ref):
        judgment, effective = self.judgment(ref, THEFT, committed=self.years_ago(9), penalty={"months": 24})
        self.event(judgment, "general_amnesty", effective + timedelta(days=200))

    def pending_prosecution(self, ref):
        committed = self.years_ago(3)
        judgment, effective = self.judgment(ref, THEFT, committed=committed, penalty={"months": 6})
        self.event(judgment, "principal_completed", effective + timedelta(days=180))
        self.event(judgment, "court_fee_paid", effective + timedelta(days=10))
        self.prosecution(ref, effective + timedelta(days=400))

    def restarted(self, ref):
        first, effective = self.judgment(ref, THEFT, committed=self.years_ago(9), penalty={"months": 12})
        self.event(first, "principal_completed", effective + timedelta(days=360))
        self.event(first, "court_fee_paid", effective + timedelta(days=30))
        second, again = self.judgment(
            ref, ROBBERY, committed=effective + timedelta(days=500), penalty={"months": 36}
        )
        self.event(second, "principal_completed", again + timedelta(days=1080))

    def pre_2010(self, ref):
        self.judgment(
            ref,
            ASSAULT,
            committed=date(2004, 3, 2) + timedelta(days=self.rng.randint(0, 1500)),
            penalty={"months": 8},
        )

    def banned(self, ref):
        self.ban(ref, self.years_ago(1))


HISTORIES = (
    ("in_force", 5),
    ("expunged", 5),
    ("unpaid_fee", 2),
    ("suspended", 2),
    ("fined", 2),
    ("negligent", 2),
    ("court_only", 1),
    ("amnesty", 1),
    ("pending_prosecution", 1),
    ("restarted", 1),
    ("pre_2010", 2),
    ("banned", 1),
)
# The applicants whose cases are being looked up: a third of them have a past in the database.
MATCHED_STAGES = frozenset({CaseStage.RECEIVED, CaseStage.IN_REVIEW, CaseStage.VERIFYING, CaseStage.DRAFTING})


def _history(builder, ref):
    names, weights = zip(*HISTORIES, strict=True)
    getattr(builder, builder.rng.choices(names, weights)[0])(ref)


def _name(rng, names, sex):
    family = rng.choices(list(names.family), list(names.family.values()))[0]
    return family, f"{family} {rng.choice(names.middle[sex])} {rng.choice(names.given[sex])}".upper()


def _father(rng, names, family):
    """A father's name: the child's family name, a man's middle and given names."""
    return f"{family} {rng.choice(names.middle[Sex.MALE])} {rng.choice(names.given[Sex.MALE])}".upper()


def _look_alikes(builder, case, names):
    """Three people an officer could take for the applicant, all born the same year: the same name born
    elsewhere on another day, the name without a middle name, and one letter off."""
    sex = case.applicant_sex
    born = case.applicant_date_of_birth
    full = case.applicant_full_name
    parts = full.split()
    rng = builder.rng
    # Another day of the same year, counted round from the birthday.
    other_day = (born.timetuple().tm_yday - 1 + rng.randint(40, 300)) % 365
    builder.person(full_name=full, sex=str(sex), born=date(born.year, 1, 1) + timedelta(days=other_day))
    builder.person(full_name=f"{parts[0]} {parts[-1]}", sex=str(sex), born=born, precision="year")
    swapped = {"A": "Â", "Â": "A", "O": "Ô", "Ô": "O", "U": "Ư", "Ư": "U", "I": "Y"}
    last = parts[-1]
    index = next((i for i, ch in enumerate(last) if ch in swapped), None)
    near = last if index is None else last[:index] + swapped[last[index]] + last[index + 1 :]
    builder.person(
        full_name=" ".join((*parts[:-1], near)),
        sex=str(sex),
        born=born.replace(month=1, day=1),
        precision="year",
    )


def load_records(demo, names):
    """A record database of a few thousand people, look-alikes and every state of conviction."""
    rng, today = demo.rng, clock.local_date(demo.now)
    builder = Builder(rng, today)
    for case in demo.cases:
        if case.stage not in MATCHED_STAGES or case.channel is Channel.AGENCY or rng.random() > 0.4:
            continue
        ref = builder.person(
            full_name=case.applicant_full_name,
            sex=str(case.applicant_sex),
            born=case.applicant_date_of_birth,
            id_numbers=[("cccd", case.applicant_id_number)] if rng.random() < 0.6 else [],
            father=_father(rng, names, case.applicant_full_name.split()[0]),
            mother=_name(rng, names, Sex.FEMALE)[1],
        )
        _history(builder, ref)
        if case.channel is Channel.VNEID:
            _look_alikes(builder, case, names)
    while builder.people < PEOPLE_COUNT:
        sex = rng.choice((Sex.MALE, Sex.FEMALE))
        family, full_name = _name(rng, names, sex)
        born = date(today.year - rng.randint(18, 75), 1, 1) + timedelta(days=rng.randint(0, 364))
        precision = "year" if born.year < 1975 and rng.random() < 0.5 else "day"
        ref = builder.person(
            full_name=full_name,
            sex=str(sex),
            born=born.replace(month=1, day=1) if precision == "year" else born,
            precision=precision,
            id_numbers=[("cmnd", f"02{rng.randint(0, 9_999_999):07d}")] if rng.random() < 0.5 else [],
            father=_father(rng, names, family.upper()),
            mother=_name(rng, names, Sex.FEMALE)[1],
        )
        if rng.random() < 0.4:
            _history(builder, ref)
    # As the agencies' files would come in: through the import, which checks every document first.
    lines = (
        json.dumps({**d, "source_agency": AGENCIES[d["kind"]]}, ensure_ascii=False) for d in builder.documents
    )
    import_file(lines, actor=demo.actor, name="demo")
    demo.record_documents = len(builder.documents)
