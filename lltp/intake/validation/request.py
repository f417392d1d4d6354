"""The request as a whole, who asks for it (a proxy, a parent), its fee and delivery, and the block of
its channel: the post's or the requesting agency's."""

from datetime import datetime

from flask_babel import gettext as _

from lltp.cases.models import API_CHANNELS, Channel, DeliveryMethod
from lltp.core import clock
from lltp.intake.models import FeeCategory
from lltp.intake.validation.applicant import _birthday, _clean_id_document
from lltp.intake.validation.checks import _COLUMN_LENGTHS, _blank
from lltp.intake.validation.labels import field_label

EXTERNAL_ID_LENGTH = 100
MAX_COPIES = 10
ADULT_AGE = 18

REQUESTER_KINDS = ("proxy", "parent_of_minor")
RELATIONSHIPS = ("parent", "spouse", "child", "other")
NOTIFIED_BY = ("paper", "phone", "fax")


# --- the request as a whole ---------------------------------------------------------------------------


def _clean_request(checks, document):
    from_api = checks.channel in API_CHANNELS
    certificate_type = checks.integer(
        "certificate_type",
        document.get("certificate_type"),
        low=1,
        high=2,
        required=True,
        message=_("Loại phiếu phải là 1 (Phiếu số 1) hoặc 2 (Phiếu số 2)."),
    )
    include_ban_section = checks.boolean("include_ban_section", document.get("include_ban_section"))
    return {
        "external_id": checks.text(
            "external_id", document.get("external_id"), required=from_api, max_length=EXTERNAL_ID_LENGTH
        ),
        "certificate_type": certificate_type,
        # A Phiếu số 2 always prints the ban section (domain §2).
        "include_ban_section": include_ban_section or certificate_type == 2,
        "purpose": checks.text("purpose", document.get("purpose"), required=True),
        "copies": checks.integer("copies", document.get("copies"), low=1, high=MAX_COPIES, required=True),
        "submitted_at": _clean_submitted_at(checks, document.get("submitted_at"), required=from_api),
    }


def _clean_submitted_at(checks, value, *, required):
    path = "submitted_at"
    if _blank(value):
        if required:
            checks.missing(path)
        return None
    moment = value if checks.lenient and isinstance(value, datetime) else None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    if moment is None or moment.tzinfo is None or moment.utcoffset() is None:
        checks.error(
            path,
            _(
                "%(field)s phải theo ISO 8601, có múi giờ (ví dụ 2026-11-20T09:15:00+07:00).",
                field=field_label(path),
            ),
        )
        return None
    if clock.local_date(moment) > checks.today:
        checks.error(path, _("%(field)s không được sau ngày hôm nay.", field=field_label(path)))
        return None
    return moment


# --- who asks -----------------------------------------------------------------------------------------


def _clean_requester(checks, value, cleaned):
    if value is None:
        return None
    requester = checks.block("requester", value)
    if requester is None:
        return None
    kind = checks.choice("requester.kind", requester.get("kind"), REQUESTER_KINDS)
    relationship = checks.choice("requester.relationship", requester.get("relationship"), RELATIONSHIPS)
    result = {
        "kind": kind,
        "full_name": checks.name("requester.full_name", requester.get("full_name"), required=True),
        "relationship": relationship,
        "id_document": _clean_id_document(checks, "requester.id_document", requester.get("id_document")),
        "authorisation_reference": checks.text(
            "requester.authorisation_reference", requester.get("authorisation_reference")
        ),
        "authorisation_notarised": checks.boolean(
            "requester.authorisation_notarised", requester.get("authorisation_notarised")
        ),
    }
    applicant = cleaned["applicant"] or {}
    if kind == "proxy":
        _check_proxy(checks, result, cleaned["certificate_type"])
    elif kind == "parent_of_minor":
        _check_parent_of_minor(checks, result, applicant.get("date_of_birth"))
    return result


def _check_proxy(checks, requester, certificate_type):
    if certificate_type == 2:
        checks.error(
            "requester.kind",
            _(
                "Không được ủy quyền yêu cầu cấp Phiếu số 2: chỉ người được cấp phiếu, "
                "hoặc cha mẹ của người chưa thành niên, được yêu cầu."
            ),
        )
        return
    if requester["authorisation_reference"] is None:
        checks.error(
            "requester.authorisation_reference",
            _(
                "%(field)s không được để trống khi yêu cầu qua người được ủy quyền.",
                field=field_label("requester.authorisation_reference"),
            ),
        )
    # Only a parent, spouse or child may act on an authorisation that is not notarised (domain §2).
    if requester["relationship"] == "other" and not requester["authorisation_notarised"]:
        checks.error(
            "requester.authorisation_notarised",
            _(
                "Văn bản ủy quyền phải được công chứng hoặc chứng thực khi người được ủy quyền "
                "không phải cha, mẹ, vợ, chồng hoặc con."
            ),
        )


def _check_parent_of_minor(checks, requester, date_of_birth):
    if date_of_birth is not None and checks.today >= _birthday(date_of_birth, ADULT_AGE):
        checks.error(
            "requester.kind",
            _("Cha, mẹ chỉ được yêu cầu thay khi người được cấp phiếu chưa đủ 18 tuổi."),
        )
    if requester["relationship"] is not None and requester["relationship"] != "parent":
        checks.error(
            "requester.relationship",
            _(
                "%(field)s phải là cha hoặc mẹ khi yêu cầu cho người chưa thành niên.",
                field=field_label("requester.relationship"),
            ),
        )


# --- fee and delivery ---------------------------------------------------------------------------------


def _clean_fee(checks, fee):
    if fee is None:
        return None
    return {
        "category": checks.choice("fee.category", fee.get("category"), FeeCategory),
        "paid": checks.boolean("fee.paid", fee.get("paid")),
        "payment_reference": checks.text(
            "fee.payment_reference",
            fee.get("payment_reference"),
            max_length=_COLUMN_LENGTHS["payment_reference"],
        ),
    }


def _clean_delivery(checks, delivery):
    if delivery is None:
        return None
    method = checks.choice("delivery.method", delivery.get("method"), DeliveryMethod)
    return {
        "method": method,
        "postal_address": checks.address(
            "delivery.postal_address", delivery.get("postal_address"), required=method == DeliveryMethod.POST
        ),
    }


# --- the channel's own block --------------------------------------------------------------------------


def _clean_postal(checks, value, certificate_type):
    if checks.channel != Channel.POST:
        return None
    postal = checks.block("postal", value)
    if postal is None:
        return None
    result = {
        "tracking_number": checks.text(
            "postal.tracking_number",
            postal.get("tracking_number"),
            required=True,
            max_length=_COLUMN_LENGTHS["tracking_number"],
        ),
        "arrived_on": checks.date("postal.arrived_on", postal.get("arrived_on"), required=True),
        "certified_signature": checks.boolean(
            "postal.certified_signature", postal.get("certified_signature")
        ),
        "certified_signature_reference": checks.text(
            "postal.certified_signature_reference",
            postal.get("certified_signature_reference"),
            max_length=_COLUMN_LENGTHS["certified_signature_reference"],
        ),
    }
    # Nobody at the desk sees the applicant of a Phiếu số 2 by post: the signature must be certified.
    if certificate_type == 2 and not (
        result["certified_signature"] and result["certified_signature_reference"]
    ):
        checks.error(
            "postal.certified_signature",
            _("Yêu cầu cấp Phiếu số 2 qua bưu điện phải có chữ ký được chứng thực, kèm số chứng thực."),
        )
    return result


def _clean_agency(checks, value, certificate_type):
    if checks.channel != Channel.AGENCY:
        return None
    agency = checks.block("agency", value)
    if agency is None:
        return None
    notified_by = checks.choice("agency.notified_by", agency.get("notified_by"), NOTIFIED_BY, required=False)
    notified_by = notified_by or "paper"
    # A request by phone or fax comes first; its letter follows, so it may not have a number or date yet.
    letter_required = notified_by == "paper"
    is_urgent = checks.boolean("agency.is_urgent", agency.get("is_urgent"))
    if is_urgent and certificate_type == 1:
        checks.error(
            "agency.is_urgent",
            _("Chỉ cơ quan tiến hành tố tụng yêu cầu cấp Phiếu số 2 mới được yêu cầu khẩn."),
        )
    return {
        "name": checks.text("agency.name", agency.get("name"), required=True),
        "letter_number": checks.text(
            "agency.letter_number",
            agency.get("letter_number"),
            required=letter_required,
            max_length=_COLUMN_LENGTHS["letter_number"],
        ),
        "letter_date": checks.date("agency.letter_date", agency.get("letter_date"), required=letter_required),
        "is_urgent": is_urgent,
        "notified_by": notified_by,
    }
