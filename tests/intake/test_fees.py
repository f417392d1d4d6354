"""The seeded fee schedule (domain §7), on dates inside and outside each dated rule, for each category and
channel; the extra copies; the Hà Nội subsidy; and the precedence rule with hand-made rows."""

from datetime import date

import pytest

from lltp.cases.models import Channel
from lltp.intake import fees
from lltp.intake.models import FeeCategory, FeeRule, FeeSubsidy

STANDARD, REDUCED, EXEMPT = FeeCategory.STANDARD, FeeCategory.REDUCED, FeeCategory.EXEMPT
COUNTER, ONLINE, VNEID = Channel.COUNTER, Channel.ONLINE, Channel.VNEID
TT244 = "Thông tư số 244/2016/TT-BTC"
TT16 = "Thông tư số 16/2025/TT-BTC"


def fee(category=STANDARD, channel=COUNTER, day=date(2026, 12, 1), copies=1, authority_code="HCM"):
    return fees.fee_for(
        category=category, channel=channel, day=day, copies=copies, authority_code=authority_code
    )


@pytest.mark.parametrize("category", list(FeeCategory))
@pytest.mark.parametrize("channel", [COUNTER, ONLINE, VNEID])
def test_no_rule_before_2017(db, category, channel):
    with pytest.raises(fees.NoFeeRule):
        fee(category, channel, date(2016, 12, 31))


# (day, channel) -> {category: amount}, the rule in force, and its legal basis.
SCHEDULE = [
    (date(2017, 1, 1), COUNTER, {STANDARD: 200_000, REDUCED: 100_000, EXEMPT: 0}, "tt244_2016", TT244),
    (date(2017, 1, 1), ONLINE, {STANDARD: 200_000, REDUCED: 100_000, EXEMPT: 0}, "tt244_2016", TT244),
    (date(2025, 4, 23), COUNTER, {STANDARD: 200_000, REDUCED: 100_000, EXEMPT: 0}, "tt244_2016", TT244),
    (date(2025, 4, 23), ONLINE, {STANDARD: 200_000, REDUCED: 100_000, EXEMPT: 0}, "tt244_2016", TT244),
    (date(2025, 4, 24), COUNTER, {STANDARD: 200_000, REDUCED: 100_000, EXEMPT: 0}, "tt16_2025", TT16),
    (date(2025, 4, 24), ONLINE, {STANDARD: 170_000, REDUCED: 80_000, EXEMPT: 0}, "tt16_2025_online", TT16),
    (date(2025, 4, 24), VNEID, {STANDARD: 170_000, REDUCED: 80_000, EXEMPT: 0}, "tt16_2025_online", TT16),
    (date(2025, 12, 31), ONLINE, {STANDARD: 170_000, REDUCED: 80_000, EXEMPT: 0}, "tt16_2025_online", TT16),
    (date(2025, 12, 31), COUNTER, {STANDARD: 200_000, REDUCED: 100_000, EXEMPT: 0}, "tt16_2025", TT16),
    (date(2026, 1, 1), ONLINE, {STANDARD: 200_000, REDUCED: 100_000, EXEMPT: 0}, "tt16_2025", TT16),
    (date(2026, 1, 1), VNEID, {STANDARD: 200_000, REDUCED: 100_000, EXEMPT: 0}, "tt16_2025", TT16),
]


@pytest.mark.parametrize("category", list(FeeCategory))
@pytest.mark.parametrize(
    ("day", "channel", "amounts", "rule", "basis"),
    SCHEDULE,
    ids=[f"{day:%d-%m-%Y}-{channel}" for day, channel, *_rest in SCHEDULE],
)
def test_the_rate_in_force_for_the_day_channel_and_category(db, day, channel, amounts, rule, basis, category):
    quote = fee(category, channel, day)
    assert (quote.amount, quote.rule_code, quote.category) == (
        amounts[category],
        f"{rule}_{category}",
        category,
    )
    assert quote.legal_basis.startswith(basis)


@pytest.mark.parametrize(("copies", "extra"), [(1, 0), (2, 0), (3, 5_000), (10, 40_000)])
def test_certificates_beyond_the_second_cost_5000_each(db, copies, extra):
    quote = fee(copies=copies)
    assert (quote.extra_copies, quote.amount) == (max(0, copies - 2), 200_000 + extra)


def test_extra_copies_are_added_to_the_online_discount_rate(db):
    assert fee(channel=ONLINE, day=date(2025, 6, 2), copies=3).amount == 175_000


def test_extra_copies_are_charged_to_an_exempt_applicant_too(db):
    assert fee(EXEMPT, copies=3).amount == 5_000


@pytest.mark.parametrize("day", [date(2024, 6, 1), date(2024, 9, 16), date(2024, 12, 31)])
def test_hanoi_pays_the_whole_fee_of_vneid_requests_in_the_second_half_of_2024(db, day):
    quote = fee(channel=VNEID, day=day, copies=3, authority_code="HN")
    assert (quote.subsidy_code, quote.subsidy_percent) == ("hanoi_vneid_2024", 100)
    assert (quote.gross, quote.subsidy_amount, quote.amount) == (205_000, 205_000, 0)


@pytest.mark.parametrize(
    ("channel", "day", "authority_code"),
    [
        (COUNTER, date(2024, 9, 16), "HN"),
        (ONLINE, date(2024, 9, 16), "HN"),
        (VNEID, date(2024, 5, 31), "HN"),
        (VNEID, date(2025, 1, 1), "HN"),
        (VNEID, date(2024, 9, 16), "HCM"),
    ],
    ids=["counter", "own-online-form", "day-before", "day-after", "other-authority"],
)
def test_the_hanoi_subsidy_applies_nowhere_else(db, channel, day, authority_code):
    quote = fee(channel=channel, day=day, authority_code=authority_code)
    assert (quote.subsidy_code, quote.amount) == (None, 200_000)


def test_the_explanation_names_the_legal_basis_and_each_amount(db):
    lines = fee(channel=VNEID, day=date(2024, 9, 16), copies=3, authority_code="HN").explanation()
    assert lines == [
        "Mức thu: 200.000 đ (Thông tư số 244/2016/TT-BTC ngày 11/11/2016 của Bộ Tài chính)",
        "Thêm 1 Phiếu từ Phiếu thứ ba: 1 × 5.000 đ",
        "Ngân sách địa phương hỗ trợ 100%: − 205.000 đ",
        "Số tiền phải nộp: 0 đ",
    ]


def test_the_explanation_of_the_online_discount(db):
    lines = fee(REDUCED, ONLINE, date(2025, 4, 24)).explanation()
    assert lines[0] == f"Mức thu: 80.000 đ ({TT16} (giữ mức thu của Thông tư 244/2016/TT-BTC))"
    assert lines[-1] == "Số tiền phải nộp: 80.000 đ"


# --- precedence, with rows made by hand ----------------------------------------------------------


def rule(code, valid_from, amount, *, channels=None, valid_to=None):
    return FeeRule(
        code=code,
        name=code,
        legal_basis=f"Căn cứ {code}",
        category=STANDARD,
        channels=channels,
        valid_from=valid_from,
        valid_to=valid_to,
        amount=amount,
        included_copies=2,
        extra_copy_amount=5_000,
    )


def quote(rules, subsidies=(), *, channel=ONLINE, day=date(2030, 6, 1), authority_code="HCM"):
    return fees.quote(
        rules,
        list(subsidies),
        category=STANDARD,
        channel=channel,
        day=day,
        copies=1,
        authority_code=authority_code,
    )


def test_a_channel_rule_beats_a_general_rule_that_started_later(db):
    rules = [
        rule("online", date(2030, 1, 1), 150_000, channels=["online"]),
        rule("general", date(2030, 3, 1), 250_000),
    ]
    assert quote(rules).rule_code == "online"
    assert quote(rules, channel=COUNTER).rule_code == "general"


def test_among_general_rules_the_latest_start_wins(db):
    rules = [rule("old", date(2020, 1, 1), 200_000), rule("new", date(2030, 1, 1), 300_000)]
    assert (quote(rules).rule_code, quote(rules).amount) == ("new", 300_000)
    assert quote(rules, day=date(2029, 12, 31)).rule_code == "old"


def test_a_rule_ends_on_its_last_day(db):
    rules = [rule("ending", date(2030, 1, 1), 100_000, valid_to=date(2030, 6, 1))]
    assert quote(rules).amount == 100_000
    with pytest.raises(fees.NoFeeRule):
        quote(rules, day=date(2030, 6, 2))


def test_a_subsidy_for_every_authority_applies_to_each(db):
    subsidy = FeeSubsidy(
        code="half",
        name="half",
        legal_basis="Căn cứ",
        authority_code=None,
        channels=None,
        valid_from=date(2030, 1, 1),
        valid_to=None,
        percent=50,
    )
    result = quote([rule("general", date(2030, 1, 1), 200_000)], [subsidy], authority_code="DN")
    assert (result.subsidy_amount, result.amount) == (100_000, 100_000)
