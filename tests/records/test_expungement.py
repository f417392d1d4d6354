"""The expungement engine against domain §9, one table row per rule, band and edge date."""

import ast
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest

from lltp.records import expungement
from lltp.records.expungement import (
    AdditionalPenalty,
    CivilObligation,
    EnforcementEvent,
    Judgment,
    Offence,
    PrincipalPenalty,
    Prosecution,
    conviction_status,
    decide,
)

D = date
ONE_DAY = timedelta(days=1)
ADULT = D(1980, 1, 1)
TEEN = D(2002, 6, 1)  # 16 on 01/06/2018, 18 on 01/06/2020
COMMITTED_ON = D(2018, 11, 2)
PRONOUNCED_ON = D(2019, 3, 12)
FAR_AHEAD = D(2040, 1, 1)


def offence(committed_on=COMMITTED_ON, severity="less_serious", intent="intentional", chapter="XVI"):
    return Offence("Trộm cắp tài sản", "173", "1", chapter, severity, intent, committed_on)


def prison(months, **kwargs):
    return PrincipalPenalty("prison", months, **kwargs)


def judgment(ref="J1", penalty=None, offences=None, pronounced_on=PRONOUNCED_ON, effective_on=None, **kwargs):
    return Judgment(
        ref=ref,
        number=f"{ref}/2019/HS-ST",
        pronounced_on=pronounced_on,
        effective_on=effective_on or pronounced_on + timedelta(days=31),
        court="Tòa án nhân dân Quận 1, TP Hồ Chí Minh",
        offences=offences or (offence(),),
        principal_penalty=penalty if penalty is not None else prison(24),
        **kwargs,
    )


def event(name, on, ref="J1", **index):
    return EnforcementEvent(ref, name, on, **index)


def done(on, ref="J1"):
    return event("principal_completed", on, ref)


@dataclass(frozen=True)
class Case:
    id: str
    judgments: tuple
    events: tuple = ()
    prosecutions: tuple = ()
    as_of: D = FAR_AHEAD
    born_on: D | None = ADULT
    expunged_on: D | None = None
    basis: str = "Điều 70 khoản 2 điểm b BLHS 2015"
    band: str | None = "02 năm"
    never_a_record: bool = False
    ref: str = "J1"
    boundary: bool = True  # the decision at as_of also holds on the day before and the day of expunged_on
    extra: dict = field(default_factory=dict)


J_NEW = judgment(
    "J2", prison(12), (offence(D(2022, 5, 1)),), pronounced_on=D(2022, 9, 1), effective_on=D(2022, 10, 1)
)
J_AFTER = judgment(
    "J2", prison(12), (offence(D(2023, 6, 1)),), pronounced_on=D(2023, 11, 1), effective_on=D(2023, 12, 1)
)
PROSECUTION = Prosecution("CA/KT-1", committed_on=D(2023, 1, 10), opened_on=D(2023, 2, 1))
DISMISSED = Prosecution("CA/KT-1", D(2023, 1, 10), D(2023, 2, 1), status="dismissed", status_on=D(2023, 9, 1))
ACQUITTED = Prosecution("CA/KT-1", D(2023, 1, 10), D(2023, 2, 1), status="acquitted", status_on=D(2023, 9, 1))
TEEN_OFFENCE = offence(D(2019, 1, 10), "very_serious")
COMPLETED_2021 = (done(D(2021, 3, 11)),)

CASES = [
    # Adult bands (Art. 70(2)), from the pronounced principal penalty.
    Case(
        "adult-warning-1y",
        (judgment(penalty=PrincipalPenalty("warning")),),
        expunged_on=D(2020, 4, 13),
        basis="Điều 70 khoản 2 điểm a BLHS 2015",
        band="01 năm",
    ),
    Case(
        "adult-fine-paid-1y",
        (judgment(penalty=PrincipalPenalty("fine", fine_amount=20_000_000)),),
        (event("fine_paid", D(2019, 6, 1)),),
        expunged_on=D(2020, 6, 2),
        basis="Điều 70 khoản 2 điểm a BLHS 2015",
        band="01 năm",
    ),
    Case(
        "adult-fine-unpaid-in-force",
        (judgment(penalty=PrincipalPenalty("fine", fine_amount=20_000_000)),),
        basis="Điều 70 khoản 2 điểm a BLHS 2015",
        band="01 năm",
    ),
    Case(
        "adult-non-custodial-reform-1y",
        (judgment(penalty=PrincipalPenalty("non_custodial_reform", 12)),),
        (done(D(2020, 4, 12)),),
        expunged_on=D(2021, 4, 13),
        basis="Điều 70 khoản 2 điểm a BLHS 2015",
        band="01 năm",
    ),
    Case(
        "adult-suspended-1y-from-end-of-probation",
        (judgment(penalty=prison(24, suspended=True, probation_months=36)),),
        (event("probation_completed", D(2022, 3, 11)),),
        expunged_on=D(2023, 3, 12),
        basis="Điều 70 khoản 2 điểm a BLHS 2015",
        band="01 năm",
    ),
    Case(
        "adult-suspended-probation-not-completed",
        (judgment(penalty=prison(24, suspended=True, probation_months=36)),),
        basis="Điều 70 khoản 2 điểm a BLHS 2015",
        band="01 năm",
    ),
    Case("adult-prison-24m-2y", (judgment(),), COMPLETED_2021, expunged_on=D(2023, 3, 12)),
    Case(
        "adult-prison-60m-still-2y",
        (judgment(penalty=prison(60)),),
        COMPLETED_2021,
        expunged_on=D(2023, 3, 12),
    ),
    Case(
        "adult-prison-61m-3y",
        (judgment(penalty=prison(61)),),
        COMPLETED_2021,
        expunged_on=D(2024, 3, 12),
        basis="Điều 70 khoản 2 điểm c BLHS 2015",
        band="03 năm",
    ),
    Case(
        "adult-prison-180m-still-3y",
        (judgment(penalty=prison(180)),),
        COMPLETED_2021,
        expunged_on=D(2024, 3, 12),
        basis="Điều 70 khoản 2 điểm c BLHS 2015",
        band="03 năm",
    ),
    Case(
        "adult-prison-181m-5y",
        (judgment(penalty=prison(181)),),
        COMPLETED_2021,
        expunged_on=D(2026, 3, 12),
        basis="Điều 70 khoản 2 điểm d BLHS 2015",
        band="05 năm",
    ),
    Case(
        "adult-life-released-5y",
        (judgment(penalty=PrincipalPenalty("life")),),
        COMPLETED_2021,
        expunged_on=D(2026, 3, 12),
        basis="Điều 70 khoản 2 điểm d BLHS 2015",
        band="05 năm",
    ),
    Case(
        "adult-commuted-death-5y",
        (judgment(penalty=PrincipalPenalty("death")),),
        COMPLETED_2021,
        expunged_on=D(2026, 3, 12),
        basis="Điều 70 khoản 2 điểm d BLHS 2015",
        band="05 năm",
    ),
    Case(
        "adult-life-still-serving",
        (judgment(penalty=PrincipalPenalty("life")),),
        basis="Điều 70 khoản 2 điểm d BLHS 2015",
        band="05 năm",
    ),
    Case(
        "pronounced-84m-released-after-50m-band-3y",
        (judgment(penalty=prison(84)),),
        (done(D(2023, 5, 12)),),
        expunged_on=D(2026, 5, 13),
        basis="Điều 70 khoản 2 điểm c BLHS 2015",
        band="03 năm",
    ),
    # Juvenile bands (Art. 107(2)): an intentional very serious or especially serious offence at 16-17.
    Case(
        "juvenile-fine-6m",
        (judgment(penalty=PrincipalPenalty("fine"), offences=(TEEN_OFFENCE,)),),
        (event("fine_paid", D(2019, 9, 1)),),
        born_on=TEEN,
        expunged_on=D(2020, 3, 2),
        basis="Điều 107 khoản 2 điểm a BLHS 2015",
        band="06 tháng",
    ),
    Case(
        "juvenile-suspended-6m",
        (judgment(penalty=prison(36, suspended=True, probation_months=60), offences=(TEEN_OFFENCE,)),),
        (event("probation_completed", D(2024, 3, 12)),),
        born_on=TEEN,
        expunged_on=D(2024, 9, 13),
        basis="Điều 107 khoản 2 điểm a BLHS 2015",
        band="06 tháng",
    ),
    Case(
        "juvenile-prison-60m-1y",
        (judgment(penalty=prison(60), offences=(TEEN_OFFENCE,)),),
        COMPLETED_2021,
        born_on=TEEN,
        expunged_on=D(2022, 3, 12),
        basis="Điều 107 khoản 2 điểm b BLHS 2015",
        band="01 năm",
    ),
    Case(
        "juvenile-prison-120m-2y",
        (judgment(penalty=prison(120), offences=(TEEN_OFFENCE,)),),
        COMPLETED_2021,
        born_on=TEEN,
        expunged_on=D(2023, 3, 12),
        basis="Điều 107 khoản 2 điểm c BLHS 2015",
        band="02 năm",
    ),
    Case(
        "juvenile-especially-serious-200m-3y",
        (judgment(penalty=prison(200), offences=(offence(D(2019, 1, 10), "especially_serious"),)),),
        COMPLETED_2021,
        born_on=TEEN,
        expunged_on=D(2024, 3, 12),
        basis="Điều 107 khoản 2 điểm d BLHS 2015",
        band="03 năm",
    ),
    Case(
        "offence-on-18th-birthday-is-adult",
        (judgment(offences=(offence(D(2020, 6, 1), "very_serious"),), pronounced_on=D(2020, 9, 1)),),
        COMPLETED_2021,
        born_on=TEEN,
        expunged_on=D(2023, 3, 12),
    ),
    Case(
        "unknown-birth-date-is-adult",
        (judgment(offences=(offence(severity="serious"),)),),
        COMPLETED_2021,
        born_on=None,
        expunged_on=D(2023, 3, 12),
    ),
    # Rule 1: never a record.
    Case(
        "art69-negligent-less-serious",
        (judgment(offences=(offence(intent="negligent"),)),),
        basis="Điều 69 khoản 2 BLHS 2015",
        band=None,
        never_a_record=True,
    ),
    Case(
        "art69-negligent-serious",
        (judgment(offences=(offence(severity="serious", intent="negligent"),)),),
        basis="Điều 69 khoản 2 BLHS 2015",
        band=None,
        never_a_record=True,
    ),
    Case(
        "art69-negligent-very-serious-adult-is-a-record",
        (judgment(offences=(offence(severity="very_serious", intent="negligent"),)),),
        COMPLETED_2021,
        expunged_on=D(2023, 3, 12),
    ),
    Case(
        "art69-exempted-from-punishment",
        (judgment(penalty=PrincipalPenalty("prison", 0), exempted_from_punishment=True),),
        basis="Điều 69 khoản 2 BLHS 2015",
        band=None,
        never_a_record=True,
    ),
    Case(
        "art69-mixed-with-intentional-is-a-record",
        (judgment(offences=(offence(intent="negligent"), offence())),),
        COMPLETED_2021,
        expunged_on=D(2023, 3, 12),
    ),
    Case(
        "art107-day-before-16th-birthday-especially-serious",
        (judgment(offences=(offence(D(2018, 5, 31), "especially_serious"),)),),
        born_on=TEEN,
        basis="Điều 107 khoản 1 BLHS 2015",
        band=None,
        never_a_record=True,
    ),
    Case(
        "art107-on-16th-birthday-especially-serious-is-a-record",
        (judgment(offences=(offence(D(2018, 6, 1), "especially_serious"),)),),
        COMPLETED_2021,
        born_on=TEEN,
        expunged_on=D(2022, 3, 12),
        basis="Điều 107 khoản 2 điểm b BLHS 2015",
        band="01 năm",
    ),
    Case(
        "art107-at-17-serious-intentional",
        (judgment(offences=(offence(D(2019, 7, 1), "serious"),)),),
        born_on=TEEN,
        basis="Điều 107 khoản 1 BLHS 2015",
        band=None,
        never_a_record=True,
    ),
    Case(
        "art107-at-17-negligent-very-serious",
        (judgment(offences=(offence(D(2019, 7, 1), "very_serious", "negligent"),)),),
        born_on=TEEN,
        basis="Điều 107 khoản 1 BLHS 2015",
        band=None,
        never_a_record=True,
    ),
    Case(
        "art107-reform-school",
        (judgment(penalty=PrincipalPenalty("prison", 0), reform_school=True, offences=(TEEN_OFFENCE,)),),
        born_on=TEEN,
        basis="Điều 107 khoản 1 BLHS 2015",
        band=None,
        never_a_record=True,
    ),
    # Rule 2: court decision only.
    Case(
        "chapter-XIII-without-court-decision",
        (judgment(offences=(offence(chapter="XIII"),)),),
        COMPLETED_2021,
        basis="Điều 71 BLHS 2015",
        band=None,
    ),
    Case(
        "chapter-XIII-amnesty-does-not-apply",
        (judgment(offences=(offence(chapter="XIII"),)),),
        (*COMPLETED_2021, event("general_amnesty", D(2022, 1, 1))),
        basis="Điều 71 BLHS 2015",
        band=None,
    ),
    Case(
        "chapter-XIII-with-court-decision",
        (judgment(offences=(offence(chapter="XIII"),)),),
        (*COMPLETED_2021, event("court_expungement_decision", D(2025, 7, 1))),
        expunged_on=D(2025, 7, 1),
        basis="Điều 71 BLHS 2015",
        band=None,
    ),
    Case(
        "chapter-XXVI-without-court-decision",
        (judgment(offences=(offence(chapter="XXVI"),)),),
        COMPLETED_2021,
        basis="Điều 71 BLHS 2015",
        band=None,
    ),
    Case(
        "chapter-XXVI-with-court-decision",
        (judgment(offences=(offence(chapter="XXVI"),)),),
        (event("court_expungement_decision", D(2030, 1, 2)),),
        expunged_on=D(2030, 1, 2),
        basis="Điều 71 BLHS 2015",
        band=None,
    ),
    Case(
        "mixed-XIII-and-other-without-decision",
        (judgment(offences=(offence(chapter="XIII"), offence())),),
        COMPLETED_2021,
        basis="Điều 73 khoản 3 BLHS 2015",
        band=None,
    ),
    Case(
        "mixed-XIII-and-other-with-decision",
        (judgment(offences=(offence(chapter="XIII"), offence())),),
        (*COMPLETED_2021, event("court_expungement_decision", D(2026, 4, 1))),
        expunged_on=D(2026, 4, 1),
        basis="Điều 73 khoản 3 BLHS 2015",
        band=None,
    ),
    Case(
        "art72-early-court-decision",
        (judgment(penalty=prison(120)),),
        (*COMPLETED_2021, event("court_expungement_decision", D(2022, 6, 1))),
        expunged_on=D(2022, 6, 1),
        basis="Điều 72 BLHS 2015",
        band="03 năm",
    ),
    # Rule 3: general amnesty.
    Case(
        "general-amnesty-while-still-serving",
        (judgment(penalty=prison(120)),),
        (event("general_amnesty", D(2021, 9, 2)),),
        expunged_on=D(2021, 9, 2),
        basis="đại xá",
        band=None,
    ),
    # Rule 4: the judgment's other orders.
    Case(
        "court-fee-unpaid-blocks-forever",
        (judgment(court_fee=200_000),),
        COMPLETED_2021,
        as_of=D(2070, 1, 1),
    ),
    Case(
        "court-fee-paid-within-period",
        (judgment(court_fee=200_000),),
        (*COMPLETED_2021, event("court_fee_paid", D(2019, 5, 1))),
        expunged_on=D(2023, 3, 12),
    ),
    Case(
        "court-fee-paid-late",
        (judgment(court_fee=200_000),),
        (*COMPLETED_2021, event("court_fee_paid", D(2024, 8, 20))),
        expunged_on=D(2024, 8, 21),
    ),
    Case(
        "court-fee-paid-on-last-day-of-period",
        (judgment(court_fee=200_000),),
        (*COMPLETED_2021, event("court_fee_paid", D(2023, 3, 11))),
        expunged_on=D(2023, 3, 12),
    ),
    Case(
        "additional-penalty-longer-than-period",
        (judgment(additional_penalties=(AdditionalPenalty("ban_office", 60, "Cấm làm kế toán"),)),),
        (*COMPLETED_2021, event("additional_completed", D(2026, 3, 11), penalty_index=0)),
        expunged_on=D(2026, 3, 12),
    ),
    Case(
        "additional-penalty-not-completed",
        (judgment(additional_penalties=(AdditionalPenalty("ban_office", 60), AdditionalPenalty("fine"))),),
        (*COMPLETED_2021, event("additional_completed", D(2021, 5, 1), penalty_index=1)),
    ),
    Case(
        "civil-obligation-completed-late",
        (judgment(civil_obligations=(CivilObligation("Bồi thường cho bị hại", 10_000_000),)),),
        (*COMPLETED_2021, event("civil_obligation_completed", D(2023, 12, 31), obligation_index=0)),
        expunged_on=D(2024, 1, 1),
    ),
    Case(
        "art70-3-time-limit-expired-ignores-unpaid-fee",
        (judgment(court_fee=200_000, civil_obligations=(CivilObligation("Bồi thường"),)),),
        (event("enforcement_time_limit_expired", D(2029, 4, 12)),),
        expunged_on=D(2031, 4, 13),
        basis="Điều 70 khoản 3 BLHS 2015",
    ),
    # Rule 4: a new offence (Art. 73(2)).
    Case(
        "new-offence-final-judgment-restarts-from-new-completion",
        (judgment(), J_NEW),
        (*COMPLETED_2021, done(D(2023, 9, 30), "J2")),
        expunged_on=D(2025, 10, 1),
    ),
    Case("new-offence-final-judgment-not-completed", (judgment(), J_NEW), COMPLETED_2021),
    Case(
        "new-offence-judgment-not-yet-final-is-ignored",
        (judgment(), judgment("J2", offences=(offence(D(2022, 5, 1)),), effective_on=D(2023, 6, 1))),
        COMPLETED_2021,
        as_of=D(2023, 5, 1),
        expunged_on=D(2023, 3, 12),
    ),
    Case(
        "new-offence-still-prosecuted",
        (judgment(),),
        COMPLETED_2021,
        (PROSECUTION,),
        as_of=D(2024, 1, 1),
    ),
    Case(
        "new-offence-prosecution-dismissed",
        (judgment(),),
        COMPLETED_2021,
        (PROSECUTION, DISMISSED),
        as_of=D(2023, 9, 1),
        expunged_on=D(2023, 3, 12),
        boundary=False,
    ),
    Case(
        "new-offence-prosecution-dismissed-after-as-of",
        (judgment(),),
        COMPLETED_2021,
        (DISMISSED,),
        as_of=D(2023, 8, 31),
    ),
    Case(
        "new-offence-acquitted",
        (judgment(),),
        COMPLETED_2021,
        (ACQUITTED,),
        as_of=D(2024, 1, 1),
        expunged_on=D(2023, 3, 12),
        boundary=False,
    ),
    Case(
        "prosecution-opened-after-as-of-is-ignored",
        (judgment(),),
        COMPLETED_2021,
        (Prosecution("CA/KT-2", D(2023, 1, 10), D(2024, 6, 1)),),
        as_of=D(2024, 1, 1),
        expunged_on=D(2023, 3, 12),
    ),
    Case(
        "new-offence-after-expungement-does-not-revive",
        (judgment(), J_AFTER),
        (*COMPLETED_2021, done(D(2024, 11, 30), "J2")),
        expunged_on=D(2023, 3, 12),
        boundary=False,
    ),
    Case(
        "new-offence-on-expungement-date-does-not-revive",
        (judgment(),),
        COMPLETED_2021,
        (Prosecution("CA/KT-3", D(2023, 3, 12), D(2023, 4, 1)),),
        as_of=D(2024, 1, 1),
        expunged_on=D(2023, 3, 12),
        boundary=False,
    ),
    Case(
        "several-convictions-the-newer-decided-on-its-own",
        (judgment(), J_NEW),
        (*COMPLETED_2021, done(D(2023, 9, 30), "J2")),
        expunged_on=D(2025, 10, 1),
        ref="J2",
    ),
    # 29 February.
    Case(
        "feb29-start-ends-on-feb28",
        (judgment(),),
        (done(D(2020, 2, 29)),),
        expunged_on=D(2022, 3, 1),
        extra={"period_ends_on": D(2022, 2, 28)},
    ),
    Case(
        "feb29-juvenile-6m-ends-on-feb29",
        (judgment(penalty=PrincipalPenalty("fine"), offences=(TEEN_OFFENCE,)),),
        (event("fine_paid", D(2019, 8, 29)),),
        born_on=TEEN,
        expunged_on=D(2020, 3, 1),
        extra={"period_ends_on": D(2020, 2, 29)},
        basis="Điều 107 khoản 2 điểm a BLHS 2015",
        band="06 tháng",
    ),
    Case(
        "aug31-plus-6m-ends-on-feb28",
        (judgment(penalty=PrincipalPenalty("fine"), offences=(TEEN_OFFENCE,)),),
        (event("fine_paid", D(2020, 8, 31)),),
        born_on=TEEN,
        expunged_on=D(2021, 3, 1),
        extra={"period_ends_on": D(2021, 2, 28)},
        basis="Điều 107 khoản 2 điểm a BLHS 2015",
        band="06 tháng",
    ),
]


def _decision(case, as_of):
    decisions = decide(case.judgments, case.events, case.prosecutions, born_on=case.born_on, as_of=as_of)
    return next(d for d in decisions if d.judgment_ref == case.ref)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_decision(case):
    decision = _decision(case, case.as_of)
    assert decision.expunged_on == case.expunged_on
    assert decision.in_force is (case.expunged_on is None and not case.never_a_record)
    assert decision.never_a_record is case.never_a_record
    assert decision.basis == case.basis
    assert decision.band == case.band
    for name, value in case.extra.items():
        assert getattr(decision, name) == value
    assert decision.explanation


BOUNDARY = [c for c in CASES if c.boundary and c.expunged_on]


@pytest.mark.parametrize("case", BOUNDARY, ids=[c.id for c in BOUNDARY])
def test_in_force_the_day_before_and_expunged_on_the_day(case):
    day_before = _decision(case, case.expunged_on - ONE_DAY)
    assert day_before.in_force
    assert day_before.expunged_on is None
    on_the_day = _decision(case, case.expunged_on)
    assert not on_the_day.in_force
    assert on_the_day.expunged_on == case.expunged_on


def test_there_are_at_least_forty_cases():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


def test_explanation_names_the_article_and_the_deciding_dates():
    (decision,) = decide([judgment()], COMPLETED_2021, [], born_on=ADULT, as_of=D(2024, 1, 1))
    assert decision.period_starts_on == D(2021, 3, 11)
    assert decision.period_ends_on == D(2023, 3, 11)
    assert (
        "Chấp hành xong hình phạt chính ngày 11/03/2021; thời hạn 02 năm (Điều 70 khoản 2 điểm b) "
        "kết thúc ngày 11/03/2023; đương nhiên được xóa án tích từ ngày 12/03/2023."
    ) in decision.explanation
    assert any("02 năm tù" in s and "Điều 73 khoản 1" in s for s in decision.explanation)


def test_explanation_of_a_late_court_fee_and_a_restart():
    events = [*COMPLETED_2021, event("court_fee_paid", D(2024, 8, 20)), done(D(2023, 9, 30), "J2")]
    first, _ = decide([judgment(court_fee=200_000), J_NEW], events, [], born_on=ADULT, as_of=D(2030, 1, 1))
    text = " ".join(first.explanation)
    assert "phạm tội mới ngày 01/05/2022" in text
    assert "Điều 73 khoản 2" in text
    assert "của bản án số J2/2019/HS-ST ngày 30/09/2023" in text
    assert "kết thúc ngày 30/09/2025; đương nhiên được xóa án tích từ ngày 01/10/2025." in text


def test_explanation_of_what_is_still_missing():
    (unpaid,) = decide([judgment(court_fee=200_000)], COMPLETED_2021, [], born_on=ADULT, as_of=D(2030, 1, 1))
    assert "Đến ngày 01/01/2030 chưa nộp án phí 200.000 đồng" in " ".join(unpaid.explanation)
    (pending,) = decide([judgment()], COMPLETED_2021, [PROSECUTION], born_on=ADULT, as_of=D(2024, 1, 1))
    assert "phạm tội ngày 10/01/2023 (khởi tố ngày 01/02/2023)" in " ".join(pending.explanation)


def test_explanation_of_never_a_record_names_article_point_and_age():
    j = judgment(offences=(offence(D(2017, 7, 1), "especially_serious"),))
    (decision,) = decide([j], [], [], born_on=TEEN, as_of=D(2024, 1, 1))
    assert "khi 15 tuổi (sinh ngày 01/06/2002)" in decision.explanation[0]
    assert "Điều 107 khoản 1 điểm a BLHS 2015" in decision.explanation[0]


def test_a_future_date_is_announced_while_in_force():
    (decision,) = decide([judgment()], COMPLETED_2021, [], born_on=ADULT, as_of=D(2022, 1, 1))
    assert decision.in_force
    assert decision.explanation[-1].endswith("đương nhiên được xóa án tích từ ngày 12/03/2023.")


def test_only_what_was_known_on_as_of_counts():
    judgments = [judgment(), judgment("J3", pronounced_on=D(2030, 1, 1))]
    decisions = decide(judgments, COMPLETED_2021, [], born_on=ADULT, as_of=D(2021, 3, 10))
    assert [d.judgment_ref for d in decisions] == ["J1"]
    assert decisions[0].period_starts_on is None


def test_decisions_are_oldest_first_and_the_status_follows_them():
    older = judgment("J0", pronounced_on=D(2010, 1, 5))
    events = [*COMPLETED_2021, done(D(2011, 1, 5), "J0")]
    decisions = decide([judgment(), older], events, [], born_on=ADULT, as_of=D(2022, 1, 1))
    assert [d.judgment_ref for d in decisions] == ["J0", "J1"]
    assert [d.in_force for d in decisions] == [False, True]
    assert conviction_status(decisions) == "has_convictions"
    assert conviction_status(decisions[:1]) == "none"
    assert conviction_status([]) == "none"


def test_the_engine_is_pure():
    source = Path(expungement.__file__).read_text(encoding="utf-8")
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])
    }
    assert imported <= set(sys.stdlib_module_names)
    loaded_alone = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('engine', {expungement.__file__!r})\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "assert not {'flask', 'flask_babel', 'sqlalchemy', 'lltp'} & set(sys.modules), sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", loaded_alone], check=True)
