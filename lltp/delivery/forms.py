"""The labels of returning, and the board's filters read from (and written back to) the URL."""

from flask_babel import lazy_gettext as _l

from lltp.cases.models import DeliveryMethod
from lltp.delivery import queries
from lltp.delivery.models import Collector, ReturnKind, ReturnReason, ShipmentStatus

TABS = (
    (queries.TO_SHIP_TAB, _l("Cần gửi")),
    ("ready_for_pickup", _l("Chờ bưu điện nhận")),
    ("in_transit", _l("Đang chuyển phát")),
    ("returned_to_sender", _l("Bị chuyển hoàn")),
    ("delivered", _l("Đã phát")),
)
SHIPMENT_STATUS_LABELS = {
    ShipmentStatus.READY_FOR_PICKUP: _l("Chờ bưu điện nhận"),
    ShipmentStatus.PICKED_UP: _l("Bưu điện đã nhận"),
    ShipmentStatus.IN_TRANSIT: _l("Đang chuyển phát"),
    ShipmentStatus.DELIVERED: _l("Đã phát"),
    ShipmentStatus.RETURNED_TO_SENDER: _l("Bị chuyển hoàn"),
}
RETURN_KIND_LABELS = {
    ReturnKind.ELECTRONIC: _l("Phiếu điện tử"),
    ReturnKind.PAPER: _l("Phiếu bản giấy"),
}
METHOD_LABELS = {
    DeliveryMethod.ELECTRONIC: _l("Điện tử"),
    DeliveryMethod.COUNTER: _l("Nhận tại bộ phận một cửa"),
    DeliveryMethod.POST: _l("Qua bưu điện"),
}
REASON_LABELS = {
    ReturnReason.CALLBACK_ACKNOWLEDGED: _l("Hệ thống gửi yêu cầu đã xác nhận nhận kết quả"),
    ReturnReason.CLIENT_DOWNLOADED: _l("Hệ thống gửi yêu cầu đã tải Phiếu điện tử"),
    ReturnReason.APPLICANT_NOTIFIED: _l("Đã thông báo đường dẫn tải Phiếu cho người yêu cầu"),
    ReturnReason.COLLECTED: _l("Đã trao tại bộ phận một cửa"),
    ReturnReason.DELIVERED: _l("Bưu điện đã phát"),
}
COLLECTOR_LABELS = {
    Collector.APPLICANT: _l("Người được cấp Phiếu"),
    Collector.PROXY: _l("Người được ủy quyền"),
}
HANDOVER_FIELDS = ("collected_by", "proxy_full_name", "proxy_id_number", "authorisation_reference", "copies")
SHIPMENT_FIELDS = ("tracking_number", "address")


def board_filters(args):
    """The board's filters from the query string; anything garbled falls back to the default."""
    tab = args.get("tab", queries.TO_SHIP_TAB)
    page = args.get("page", "1")
    return queries.BoardFilters(
        tab=tab if tab in queries.TAB_STATUSES else queries.TO_SHIP_TAB,
        q=args.get("q", "").strip()[:40],
        page=int(page) if page.isdigit() and int(page) > 0 else 1,
    )


def board_args(filters, **changes):
    """The query string of the board under `filters` with `changes`, leaving out the defaults."""
    values = {"tab": filters.tab, "q": filters.q, "page": filters.page, **changes}
    defaults = queries.BoardFilters()
    return {name: value for name, value in values.items() if value != getattr(defaults, name)}
