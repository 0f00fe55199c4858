"""Dossier views as the SMS handler gets them, with long but real-looking values, for tables."""

from __future__ import annotations

from datetime import UTC, datetime

from lookup.views import DossierView, Office

CODE = "000.00.12.H05-261028-0001"
OFFICE = Office(id="000.00.12.H05", name_vi="Trung tâm Phục vụ hành chính công tỉnh Thái Nguyên",
                name_en="Thai Nguyen Provincial Public Administration Service Centre",
                address="Số 1 đường Hoàng Văn Thụ, phường Phan Đình Phùng",
                pickup_hours="Thứ Hai–Thứ Sáu 7:30–11:30, 13:30–17:00", hotline="0209 3870 000")
HANDLING = "Sở Tài nguyên và Môi trường tỉnh Thái Nguyên"
DUE = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
# What an office writes for each status that needs a note (DOMAIN.md): the documents, the
# amount and where to pay it, the reason; as long as such notes usually are.
NOTES = {
    "supplement_requested": "Bổ sung bản sao sổ hộ khẩu và 2 ảnh 4x6 nền trắng.",
    "fee_due": "Nộp lệ phí trước bạ 1.250.000 đồng tại Chi cục Thuế khu vực.",
    "not_accepted": "Tờ khai thiếu chữ ký; vui lòng nộp lại hồ sơ mới.",
    "stopped": "Cơ sở không đủ điều kiện theo biên bản kiểm tra.",
    "ready": "Mang theo CCCD và giấy hẹn.",
}


def sms_view(status: str, note: str | None = None, overdue: bool = False) -> DossierView:
    """`note` None: the office's usual note for the status (NOTES); "" none."""
    return DossierView(
        code=CODE, status=status, procedure_name_vi="Đăng ký biến động đất đai",
        procedure_name_en="Land change registration", office=OFFICE,
        handling_office=HANDLING if status == "processing" else "", filed_with_vi="", filed_with_en="",
        received_at=datetime(2026, 11, 10, 2, 0, tzinfo=UTC), due_at=DUE, original_due_at=DUE,
        overdue=overdue, working_days_left=None, working_days_late=None, due_today=False,
        note=NOTES.get(status, "") if note is None else note, language="vi")
