"""Demo offices and dossiers for `make run` and the README: one dossier in every status.

Codes and PINs are fixed so the README can list them; dates are set relative to the day the
demo is first loaded. Loading again adds only what is missing, so a restart does not grow
the timelines (`make clean` starts the demo afresh).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from lookup.calendar import WorkingCalendar
from lookup.clock import local
from lookup.ingest import EventFields, dossier_fields
from lookup.service import Service

AGENCIES = {
    "000.00.04.H40": {
        "name_vi": "UBND phường Thanh Xuân",
        "name_en": "Thanh Xuan Ward People's Committee",
        "address": "9 Khuất Duy Tiến, phường Thanh Xuân, Hà Nội",
        "pickup_hours": "Thứ Hai–Thứ Sáu 8:00–17:00; sáng thứ Bảy 8:00–11:30",
        "hotline": "024 3858 0000",
    },
    "000.00.12.H05": {
        "name_vi": "Trung tâm Phục vụ hành chính công tỉnh Thái Nguyên",
        "name_en": "Thai Nguyen Provincial Public Administration Service Centre",
        "address": "Số 1 đường Trường Chinh, tỉnh Thái Nguyên",
        "pickup_hours": "Thứ Hai–Thứ Sáu 7:30–17:00",
        "hotline": "0209 3870 000",
    },
    "000.20.31.H17": {
        "name_vi": "UBND phường Hòa Khánh, thành phố Đà Nẵng",
        "name_en": "Hoa Khanh Ward People's Committee, Da Nang",
        "address": "Số 50 Âu Cơ, phường Hòa Khánh, Đà Nẵng",
        "pickup_hours": "Thứ Hai–Thứ Sáu 7:30–11:30, 13:30–17:00",
        "hotline": "0236 3842 000",
    },
}

# code, agency, procedure (vi, en), applicant, phone, pin, status, days since received,
# days until due (negative: past), note
DOSSIERS = [
    ("000.00.04.H40-261102-0001", "000.00.04.H40",
     ("Cấp giấy khai sinh", "Birth registration"), "Nguyễn Văn An", "0912000001", "204851",
     "ready", 6, -1, "Mang theo CCCD và giấy hẹn."),
    ("000.00.04.H40-261105-0002", "000.00.04.H40",
     ("Chứng thực bản sao từ bản chính", "Certified copy"), "Trần Thị Bình", "0912000002", "771203",
     "processing", 3, 4, ""),
    ("000.00.04.H40-261020-0003", "000.00.04.H40",
     ("Đăng ký kết hôn", "Marriage registration"), "Lê Hoàng Cường", "0912000003", "530917",
     "processing", 20, -5, ""),
    ("000.00.04.H40-261110-0004", "000.00.04.H40",
     ("Cấp giấy xác nhận tình trạng hôn nhân", "Certificate of marital status"), "Phạm Thu Dung",
     "0912000004", "118264", "supplement_requested", 2, 3,
     "Bổ sung bản sao sổ hộ khẩu và ảnh 4x6 trước ngày hẹn."),
    ("000.00.12.H05-261028-0001", "000.00.12.H05",
     ("Cấp giấy chứng nhận quyền sử dụng đất", "Land use right certificate"), "Hoàng Văn Em",
     "0987000005", "602488", "fee_due", 14, 10,
     "Nộp lệ phí trước bạ 1.250.000 đồng tại Chi cục Thuế khu vực."),
    ("000.00.12.H05-261101-0002", "000.00.12.H05",
     ("Cấp giấy phép xây dựng nhà ở riêng lẻ", "Building permit for a private house"),
     "Vũ Thị Giang", "0987000006", "349950", "received", 1, 14, ""),
    ("000.00.12.H05-261015-0003", "000.00.12.H05",
     ("Đăng ký thành lập hộ kinh doanh", "Household business registration"), "Đỗ Minh Hải",
     "0987000007", "884310", "returned", 30, -20, ""),
    ("000.00.12.H05-261103-0004", "000.00.12.H05",
     ("Cấp phiếu lý lịch tư pháp", "Judicial record certificate"), "Bùi Quang Khải",
     "0987000008", "265071", "not_accepted", 4, 6,
     "Tờ khai thiếu chữ ký; vui lòng nộp lại hồ sơ mới."),
    ("000.20.31.H17-261112-0001", "000.20.31.H17",
     ("Đăng ký thường trú", "Permanent residence registration"), "Ngô Thị Lan", "0905000009",
     "493726", "registered", 0, 7, ""),
    ("000.20.31.H17-261030-0002", "000.20.31.H17",
     ("Cấp đổi giấy phép lái xe", "Driving licence renewal"), "Đặng Văn Minh", "0905000010",
     "157842", "withdrawn", 12, 3, ""),
    ("000.20.31.H17-261025-0003", "000.20.31.H17",
     ("Cấp giấy phép kinh doanh rượu", "Alcohol retail licence"), "Phan Thị Ngọc", "0905000011",
     "920634", "stopped", 18, -2, "Cơ sở không đủ điều kiện theo biên bản kiểm tra."),
]


def load(service: Service) -> list[tuple[str, str, str]]:
    """Write the demo into the database; (code, pin, status) for each dossier."""
    now = service.clock()
    for agency_id, values in AGENCIES.items():
        service.put_agency(agency_id, values, agency_id)
    listed = []
    calendar = service.calendar()
    for code, agency_id, (proc_vi, proc_en), name, phone, pin, status, ago, due_in, note in DOSSIERS:
        listed.append((code, pin, status))
        if service.resolve(code) is not None:
            continue
        received = (now - timedelta(days=ago)).replace(microsecond=0)
        due = on_a_working_day(calendar, now + timedelta(days=due_in), later=due_in >= 0)
        fields = dossier_fields(code, {
            "agency_id": agency_id,
            "procedure_name": proc_vi,
            "procedure_name_en": proc_en,
            "applicant_name": name,
            "applicant_phone": phone,
            "received_at": received.isoformat(),
            "due_at": due.isoformat(),
            "status": "received",
            "status_at": received.isoformat(),
            "pin": pin,
        })
        service.put_dossier(fields, agency_id, demo=True)
        if status != "received":
            at = min(now, received + timedelta(days=max(ago - 1, 0), hours=2)).replace(microsecond=0)
            service.add_event(code, EventFields(status, at, note, None, ""), agency_id)
    return listed


def on_a_working_day(calendar: WorkingCalendar, moment: datetime, *, later: bool) -> datetime:
    """`moment` moved to the nearest working day in Vietnam, as an office sets a due date: later
    for a date to come, earlier for one past (a past due date stays past, a coming one to come)."""
    day = local(moment).date()
    moved = calendar.next_working_day(day) if later else calendar.previous_working_day(day)
    return (moment + (moved - day)).replace(microsecond=0)
