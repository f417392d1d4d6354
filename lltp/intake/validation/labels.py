"""The Vietnamese label of every field of a request, by its dotted path, for the error messages."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

FIELD_LABELS = {
    "external_id": _l("Mã yêu cầu của hệ thống gửi"),
    "certificate_type": _l("Loại phiếu"),
    "include_ban_section": _l("Yêu cầu xác nhận nội dung cấm đảm nhiệm chức vụ"),
    "purpose": _l("Mục đích yêu cầu cấp phiếu"),
    "copies": _l("Số lượng phiếu"),
    "submitted_at": _l("Thời điểm nộp"),
    "applicant": _l("Thông tin người được cấp phiếu"),
    "applicant.full_name": _l("Họ và tên"),
    "applicant.other_names": _l("Tên gọi khác"),
    "applicant.sex": _l("Giới tính"),
    "applicant.date_of_birth": _l("Ngày sinh"),
    "applicant.place_of_birth": _l("Nơi sinh"),
    "applicant.nationality": _l("Quốc tịch"),
    "applicant.ethnicity": _l("Dân tộc"),
    "applicant.id_document": _l("Giấy tờ tùy thân"),
    "applicant.id_document.type": _l("Loại giấy tờ tùy thân"),
    "applicant.id_document.number": _l("Số giấy tờ tùy thân"),
    "applicant.id_document.issued_on": _l("Ngày cấp giấy tờ tùy thân"),
    "applicant.id_document.issued_by": _l("Nơi cấp giấy tờ tùy thân"),
    "applicant.permanent_address": _l("Nơi thường trú"),
    "applicant.temporary_address": _l("Nơi tạm trú"),
    "applicant.phone": _l("Số điện thoại"),
    "applicant.email": _l("Thư điện tử"),
    "applicant.father": _l("Thông tin về cha"),
    "applicant.father.full_name": _l("Họ tên cha"),
    "applicant.father.birth_year": _l("Năm sinh của cha"),
    "applicant.mother": _l("Thông tin về mẹ"),
    "applicant.mother.full_name": _l("Họ tên mẹ"),
    "applicant.mother.birth_year": _l("Năm sinh của mẹ"),
    "applicant.spouse": _l("Thông tin về vợ/chồng"),
    "applicant.spouse.full_name": _l("Họ tên vợ/chồng"),
    "applicant.spouse.birth_year": _l("Năm sinh của vợ/chồng"),
    "applicant.residence_history": _l("Quá trình cư trú"),
    "applicant.residence_history.from": _l("Từ ngày cư trú"),
    "applicant.residence_history.to": _l("Đến ngày cư trú"),
    "applicant.residence_history.address": _l("Nơi cư trú"),
    "applicant.residence_history.occupation": _l("Nghề nghiệp"),
    "applicant.residence_history.workplace": _l("Nơi làm việc"),
    "requester": _l("Thông tin người làm thủ tục thay"),
    "requester.kind": _l("Tư cách người làm thủ tục thay"),
    "requester.full_name": _l("Họ tên người làm thủ tục thay"),
    "requester.relationship": _l("Quan hệ với người được cấp phiếu"),
    "requester.id_document": _l("Giấy tờ tùy thân của người làm thủ tục thay"),
    "requester.id_document.type": _l("Loại giấy tờ tùy thân của người làm thủ tục thay"),
    "requester.id_document.number": _l("Số giấy tờ tùy thân của người làm thủ tục thay"),
    "requester.id_document.issued_on": _l("Ngày cấp giấy tờ tùy thân của người làm thủ tục thay"),
    "requester.id_document.issued_by": _l("Nơi cấp giấy tờ tùy thân của người làm thủ tục thay"),
    "requester.authorisation_reference": _l("Văn bản ủy quyền"),
    "requester.authorisation_notarised": _l("Công chứng, chứng thực văn bản ủy quyền"),
    "fee": _l("Lệ phí"),
    "fee.category": _l("Đối tượng nộp lệ phí"),
    "fee.paid": _l("Đã nộp lệ phí"),
    "fee.payment_reference": _l("Mã giao dịch nộp lệ phí"),
    "delivery": _l("Nhận kết quả"),
    "delivery.method": _l("Hình thức nhận phiếu"),
    "delivery.postal_address": _l("Địa chỉ nhận phiếu qua bưu điện"),
    "postal": _l("Hồ sơ gửi qua bưu điện"),
    "postal.tracking_number": _l("Số hiệu bưu gửi"),
    "postal.arrived_on": _l("Ngày nhận bưu gửi"),
    "postal.certified_signature": _l("Chứng thực chữ ký trên tờ khai"),
    "postal.certified_signature_reference": _l("Số chứng thực chữ ký"),
    "agency": _l("Cơ quan yêu cầu"),
    "agency.name": _l("Tên cơ quan yêu cầu"),
    "agency.letter_number": _l("Số văn bản yêu cầu"),
    "agency.letter_date": _l("Ngày văn bản yêu cầu"),
    "agency.is_urgent": _l("Yêu cầu khẩn"),
    "agency.notified_by": _l("Hình thức gửi yêu cầu"),
}


def field_label(path):
    """The Vietnamese label of a dotted path; list indexes become a row number after the label."""
    parts = path.split(".")
    label = str(FIELD_LABELS.get(".".join(p for p in parts if not p.isdigit()), path))
    rows = [int(p) + 1 for p in parts if p.isdigit()]
    if rows:
        label = _("%(field)s (dòng %(row)d)", field=label, row=rows[-1])
    return label
