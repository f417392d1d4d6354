"""The intake forms' plumbing, shared by the officers' form and the citizens' online form.

Every input is named by the dotted path of the request document that the validator checks
(`applicant.residence_history.0.from`), so one validator serves every channel and each error it reports
lands next to the input of the same name. `unflatten` turns posted fields into the document; `flatten`
turns a document (a draft, a rejected submission) back into the form's values.
"""

from datetime import date

from flask_babel import lazy_gettext as _l

from lltp.cases.models import DeliveryMethod, Sex
from lltp.intake.models import AttachmentKind, FeeCategory, IdDocumentType, PaymentMethod

SEX_CHOICES = ((Sex.MALE, _l("Nam")), (Sex.FEMALE, _l("Nữ")))
ID_DOCUMENT_CHOICES = (
    (IdDocumentType.CCCD, _l("Căn cước / Căn cước công dân")),
    (IdDocumentType.CMND, _l("Chứng minh nhân dân")),
    (IdDocumentType.PASSPORT, _l("Hộ chiếu")),
)
CERTIFICATE_TYPE_CHOICES = ((1, _l("Phiếu lý lịch tư pháp số 1")), (2, _l("Phiếu lý lịch tư pháp số 2")))
FEE_CATEGORY_CHOICES = (
    (FeeCategory.STANDARD, _l("Thông thường")),
    (
        FeeCategory.REDUCED,
        _l("Giảm 50% (học sinh, sinh viên; người có công với cách mạng; thân nhân liệt sĩ)"),
    ),
    (FeeCategory.EXEMPT, _l("Miễn phí (trẻ em, người cao tuổi, người khuyết tật, hộ nghèo...)")),
)
DELIVERY_CHOICES = (
    (DeliveryMethod.ELECTRONIC, _l("Chỉ nhận bản điện tử")),
    (DeliveryMethod.COUNTER, _l("Nhận bản giấy tại cơ quan cấp Phiếu")),
    (DeliveryMethod.POST, _l("Nhận bản giấy qua bưu chính")),
)
REQUESTER_KIND_CHOICES = (
    ("", _l("Tự yêu cầu cho bản thân")),
    ("proxy", _l("Ủy quyền cho người khác làm thủ tục (chỉ Phiếu số 1)")),
    ("parent_of_minor", _l("Cha, mẹ yêu cầu cho con chưa thành niên (Phiếu số 2)")),
)
RELATIONSHIP_CHOICES = (
    ("parent", _l("Cha, mẹ")),
    ("spouse", _l("Vợ, chồng")),
    ("child", _l("Con")),
    ("other", _l("Khác (giấy ủy quyền phải công chứng, chứng thực)")),
)
NOTIFIED_BY_CHOICES = (
    ("paper", _l("Công văn giấy")),
    ("phone", _l("Điện thoại (công văn gửi sau)")),
    ("fax", _l("Fax (công văn gửi sau)")),
)
PAYMENT_METHOD_CHOICES = (
    (PaymentMethod.CASH, _l("Tiền mặt tại quầy")),
    (PaymentMethod.BANK_TRANSFER, _l("Chuyển khoản, VietQR")),
    (PaymentMethod.POSTAL, _l("Nộp qua bưu chính")),
)
ATTACHMENT_KIND_CHOICES = (
    (AttachmentKind.ID_DOCUMENT, _l("Giấy tờ tùy thân")),
    (AttachmentKind.AUTHORISATION, _l("Văn bản ủy quyền")),
    (AttachmentKind.FEE_PROOF, _l("Giấy tờ chứng minh được miễn, giảm phí")),
    (AttachmentKind.AGENCY_LETTER, _l("Công văn đề nghị")),
    (AttachmentKind.OTHER, _l("Giấy tờ khác")),
)
# Labels by value, for pages and papers that show a stored choice.
FEE_CATEGORY_LABELS = dict(FEE_CATEGORY_CHOICES)
ATTACHMENT_KIND_LABELS = dict(ATTACHMENT_KIND_CHOICES)
PAYMENT_METHOD_LABELS = {
    **dict(PAYMENT_METHOD_CHOICES),
    # Not a choice at the desk: the fee was paid in VNeID or on a portal before the request was pushed.
    PaymentMethod.NATIONAL_SYSTEM: _l("Đã nộp trên hệ thống gửi hồ sơ (VNeID, Cổng dịch vụ công)"),
}

# Boolean inputs: a checkbox posts its value only when ticked.
BOOLEAN_FIELDS = frozenset(
    {
        "include_ban_section",
        "fee.paid",
        "requester.authorisation_notarised",
        "postal.certified_signature",
        "agency.is_urgent",
    }
)
# Nested blocks that are null when the form leaves every one of their inputs blank.
OTHER_NAMES = "applicant.other_names"  # one input, names separated by commas
OPTIONAL_BLOCKS = ("applicant.father", "applicant.mother", "applicant.spouse", "requester")


def unflatten(fields):
    """Posted `{dotted.name: value}` into the nested request document. Numbered segments become lists in
    index order; a list row left wholly blank (a spare row of the residence table) is dropped."""
    document = {}
    for name, value in fields.items():
        if name == "csrf_token" or name.startswith("_"):
            continue
        node = document
        parts = name.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    for name in BOOLEAN_FIELDS:
        _set_path(document, name, _get_path(document, name) not in (None, "", "0", "false"))
    document = _lists(document)
    if isinstance(_get_path(document, OTHER_NAMES), str):
        _set_path(document, OTHER_NAMES, other_names_list(_get_path(document, OTHER_NAMES)))
    for name in OPTIONAL_BLOCKS:
        block = _get_path(document, name)
        if isinstance(block, dict) and not _has_text(block):
            _set_path(document, name, None)
    return document


def _lists(node):
    """Dicts whose keys are all numbers become lists, ordered, without their blank rows."""
    if not isinstance(node, dict):
        return node
    converted = {key: _lists(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        rows = [converted[key] for key in sorted(converted, key=int)]
        return [row for row in rows if _has_text(row)]
    return converted


def _has_text(value):
    if isinstance(value, dict):
        return any(_has_text(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_text(item) for item in value)
    return isinstance(value, str) and value.strip() != ""


def _get_path(document, name):
    node = document
    for part in name.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _set_path(document, name, value):
    *parents, last = name.split(".")
    node = document
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            return
    node[last] = value


def flatten(document, prefix=""):
    """The nested document as `{dotted.name: text}` for refilling a form: dates as dd/mm/yyyy."""
    flat = {}
    items = enumerate(document) if isinstance(document, list) else (document or {}).items()
    for key, value in items:
        name = f"{prefix}{key}"
        if name == OTHER_NAMES:
            flat[name] = ", ".join(value or [])
        elif isinstance(value, dict | list):
            flat.update(flatten(value, prefix=f"{name}."))
        elif isinstance(value, date):
            flat[name] = value.strftime("%d/%m/%Y")
        elif isinstance(value, bool):
            flat[name] = "1" if value else ""
        else:
            flat[name] = "" if value is None else str(value)
    return flat


def other_names_list(text):
    """The "other names" input holds comma-separated names."""
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def field_id(name):
    """An HTML id for the input named `name` (dots are awkward in CSS selectors)."""
    return "f-" + name.replace(".", "-").replace("_", "-")
