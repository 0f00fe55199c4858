"""On-time statistics: the month arithmetic, the counting on both databases, the page and CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from lookup import stats
from lookup.clock import parse_moment
from lookup.ingest import EventFields, dossier_fields
from tests.channels.web.htmlcheck import by_id, find_all, parse_page, text_of
from tests.conftest import NOW, make_app

A, B = "000.00.04.H40", "000.00.12.H05"


@pytest.mark.parametrize("text, expected", [
    ("2026-10", stats.Month(2026, 10)),
    (" 2026-11 ", stats.Month(2026, 11)),
    ("2000-01", stats.Month(2000, 1)),
])
def test_month_parse(text, expected):
    assert stats.Month.parse(text, NOW) == expected


@pytest.mark.parametrize("text, reason", [
    ("2026-13", "format"), ("2026-00", "format"), ("26-10", "format"), ("2026/10", "format"),
    ("", "format"), ("1999-12", "format"), ("2026-10-01", "format"), ("x" * 100, "format"),
    ("2026-12", "future"), ("2100-01", "future"),
])
def test_month_parse_refuses(text, reason):
    with pytest.raises(stats.BadMonth) as refused:
        stats.Month.parse(text, NOW)
    assert refused.value.reason == reason


def test_month_bounds_are_in_the_office_zone():
    october = stats.Month(2026, 10)
    assert october.start == datetime(2026, 9, 30, 17, tzinfo=UTC)
    assert october.end == datetime(2026, 10, 31, 17, tzinfo=UTC)
    assert stats.Month(2026, 12).next() == stats.Month(2027, 1)
    assert stats.Month(2027, 1).previous() == stats.Month(2026, 12)
    assert stats.Month.containing(datetime(2026, 10, 31, 17, 30, tzinfo=UTC)) == stats.Month(2026, 11)


def put(service, agency, code, received, due, *events):
    """A dossier received at `received` and due at `due`; events are (status, at[, new due])."""
    fields = dossier_fields(code, {
        "agency_id": agency, "procedure_name": "Thủ tục", "applicant_name": "Nguyễn Văn An",
        "applicant_phone": "0912000001", "received_at": received, "due_at": due,
        "status": "received",
    })
    service.put_dossier(fields, agency)
    for status, at, *moved in events:
        service.add_event(code, EventFields(status, parse_moment(at), "",
                                            parse_moment(moved[0]) if moved else None, ""), agency)


def load_october(service):
    service.put_agency(A, {"name_vi": "UBND phường Thanh Xuân", "name_en": "Thanh Xuan Ward",
                           "address": "", "pickup_hours": "", "hotline": ""}, A)
    service.put_agency(B, {"name_vi": "Trung tâm Thái Nguyên", "name_en": "",
                           "address": "", "pickup_hours": "", "hotline": ""}, B)
    put(service, A, f"{A}-261005-0001", "2026-10-05T09:00", "2026-10-15",
        ("ready", "2026-10-14T15:00"))                                     # on time
    put(service, A, f"{A}-261006-0002", "2026-10-06T09:00", "2026-10-10",
        ("ready", "2026-10-12T15:00"))                                     # late
    put(service, A, f"{A}-261007-0003", "2026-10-07T09:00", "2026-10-20",
        ("processing", "2026-10-19T10:00", "2026-10-30"),                  # apology: new date
        ("ready", "2026-10-25T15:00"))                                     # on time by the new date
    put(service, A, f"{A}-261020-0004", "2026-10-20T09:00", "2026-10-25",
        ("processing", "2026-10-21T09:00"))                                # overdue in progress
    put(service, A, f"{A}-261021-0005", "2026-10-21T09:00", "2026-11-10",
        ("processing", "2026-10-22T09:00"))                                # in progress, due later
    put(service, A, f"{A}-261022-0006", "2026-10-22T09:00", "2026-11-10",
        ("withdrawn", "2026-10-23T09:00"))                                 # not in progress
    put(service, A, f"{A}-260928-0007", "2026-09-28T09:00", "2026-10-03",
        ("ready", "2026-10-01T09:00"), ("returned", "2026-10-02T09:00"))   # resolved in Oct only
    put(service, A, f"{A}-261031-0008", "2026-10-31T23:30", "2026-12-01")  # last half hour of Oct
    put(service, A, f"{A}-261101-0009", "2026-11-01T00:30", "2026-12-01")  # first half hour of Nov
    put(service, B, f"{B}-261010-0001", "2026-10-10T09:00", "2026-10-20",
        ("ready", "2026-10-11T09:00"))


def figures(office):
    return (office.received, office.resolved, office.resolved_on_time, office.in_progress,
            office.overdue_in_progress)


def test_counting_per_office_and_month(database_url):
    app = make_app(database_url)
    try:
        service = app.extensions["tracuu.service"]
        load_october(service)
        october = stats.for_month(service.store, stats.Month(2026, 10), NOW)
        offices = {office.office_id: office for office in october.offices}
        assert figures(offices[A]) == (7, 4, 3, 3, 1)
        assert offices[A].on_time_percent == 75.0
        assert figures(offices[B]) == (1, 1, 1, 0, 0)
        assert figures(october.overall) == (8, 5, 4, 3, 1)
        assert october.as_of == stats.Month(2026, 10).end

        november = stats.for_month(service.store, stats.Month(2026, 11), NOW)
        offices = {office.office_id: office for office in november.offices}
        assert figures(offices[A]) == (1, 0, 0, 4, 2)
        assert offices[A].on_time_percent is None
        assert B not in offices  # nothing to count there in November
        assert november.as_of == NOW

        empty = stats.for_month(service.store, stats.Month(2026, 1), NOW)
        assert empty.offices == () and empty.overall.on_time_percent is None
    finally:
        app.extensions["tracuu.store"].dispose()


def test_statistics_page_in_english(client, service):
    load_october(service)
    response = client.get("/thong-ke?month=2026-10&lang=en")
    assert response.status_code == 200
    tree = parse_page(response.data, "en")
    assert text_of(next(find_all(tree, "h1"))) == "On-time statistics"
    rows = [[text_of(cell) for cell in row] for row in find_all(tree, "tr")]
    assert rows[1] == ["Thanh Xuan Ward", "7", "4", "3", "75%", "3", "1"]
    assert rows[2] == ["Trung tâm Thái Nguyên", "1", "1", "1", "100%", "0", "0"]
    assert rows[3] == ["All offices", "8", "5", "4", "80%", "3", "1"]
    svg = next(tree.iter("{http://www.w3.org/2000/svg}svg"))
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "chart-title"
    bars = [rect for rect in svg.iter("{http://www.w3.org/2000/svg}rect")
            if rect.get("class", "").startswith("bar")]
    widths = [float(rect.get("width")) for rect in bars]
    assert widths == [204.0, 272.0, 217.6]  # 75 %, 100 %, 80 % of the 272-unit track
    links = {a.get("href") for a in find_all(tree, "a")}
    assert "/thong-ke?month=2026-09" in links and "/thong-ke?month=2026-11" in links
    assert "/thong-ke.csv?month=2026-10&lang=en" in links


def test_statistics_page_in_vietnamese_for_this_month(client, service):
    load_october(service)
    tree = parse_page(client.get("/thong-ke").data, "vi")
    assert text_of(next(find_all(tree, "h1"))) == "Thống kê giải quyết đúng hạn"
    assert "tháng 11 năm 2026" in text_of(tree)
    assert not any(a.get("href") == "/thong-ke?month=2026-12" for a in find_all(tree, "a"))


@pytest.mark.parametrize("month, message", [
    ("2026-13", "Vui lòng chọn tháng theo dạng năm-tháng, ví dụ 2026-11."),
    ("<b>", "Vui lòng chọn tháng theo dạng năm-tháng, ví dụ 2026-11."),
    ("2027-01", "Tháng đó chưa bắt đầu. Dưới đây là số liệu tháng hiện tại."),
])
def test_bad_month_says_so_and_shows_this_month(client, month, message):
    response = client.get("/thong-ke", query_string={"month": month})
    assert response.status_code == 400
    tree = parse_page(response.data, "vi")
    assert text_of(next(e for e in tree.iter() if e.get("id") == "month-error")) == message
    assert next(e for e in tree.iter() if e.get("id") == "month").get("value") == "2026-11"


def test_csv_download(client, service):
    load_october(service)
    response = client.get("/thong-ke.csv?month=2026-10")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="thong-ke-2026-10.csv"'
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(stats_columns())
    assert rows[1] == ["2026-10", A, "UBND phường Thanh Xuân", "7", "4", "3", "75.0", "3", "1"]
    assert rows[-1] == ["2026-10", "ALL", "Tất cả cơ quan", "8", "5", "4", "80.0", "3", "1"]
    assert client.get("/thong-ke.csv?month=nope").status_code == 400


def stats_columns():
    from channels.web.statistics import CSV_COLUMNS

    return CSV_COLUMNS


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\",\"bấm\")", "+1+1", "-2+3", "@SUM(A1)",
                                  "\tUBND", "\rUBND"])
def test_csv_cells_never_become_formulas(client, service, name):
    load_october(service)
    office = {"name_vi": name, "name_en": "", "address": "", "pickup_hours": "", "hotline": ""}
    service.put_agency(B, office, B)
    rows = list(csv.reader(io.StringIO(client.get("/thong-ke.csv?month=2026-10").data.decode("utf-8-sig"))))
    [row] = [r for r in rows if r[1] == B]
    assert row[2] == "'" + name


def test_walking_every_month_scans_only_the_months_with_dossiers(client, service):
    """Months before the first dossier cost no scan; each month is counted once, then kept."""
    from sqlalchemy import event

    load_october(service)
    scans = []
    engine = service.store.engine
    listener = lambda *args: scans.append(args[2]) if "GROUP BY" in args[2] else None  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        for _ in range(2):  # the walk, and a second one that finds everything kept
            for year in range(2000, 2027):
                for month in range(1, 13):
                    if (year, month) <= (2026, 11):
                        assert client.get(f"/thong-ke?month={year}-{month:02d}").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    # September (the first dossier), October and November: once each.
    assert len(scans) == 3


def test_csv_for_a_vietnamese_excel(client, service):
    """UTF-8 with a byte-order mark, `;` between cells and a decimal comma: what Excel set to
    Vietnamese opens into columns. The page links both files."""
    load_october(service)
    response = client.get("/thong-ke.csv?month=2026-10&sep=semicolon")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert response.headers["Content-Disposition"] == 'attachment; filename="thong-ke-2026-10-excel.csv"'
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == list(stats_columns())
    assert rows[1] == ["2026-10", A, "UBND phường Thanh Xuân", "7", "4", "3", "75,0", "3", "1"]
    assert client.get("/thong-ke.csv?month=2026-10").data.startswith(b"\xef\xbb\xbf")
    page = parse_page(client.get("/thong-ke?month=2026-10").data, "vi")
    links = {a.get("href") for a in find_all(page, "a")}
    assert "/thong-ke.csv?month=2026-10&lang=vi&sep=semicolon" in links


def test_semicolon_csv_cells_never_become_formulas(client, service):
    load_october(service)
    office = {"name_vi": "=1+2;3", "name_en": "", "address": "", "pickup_hours": "", "hotline": ""}
    service.put_agency(B, office, B)
    text = client.get("/thong-ke.csv?month=2026-10&sep=semicolon").data.decode("utf-8-sig")
    [row] = [r for r in csv.reader(io.StringIO(text), delimiter=";") if r[1] == B]
    assert row[2] == "'=1+2;3"


def test_on_the_first_of_the_month_it_opens_on_the_latest_month_with_data(client, service):
    from lookup.clock import fixed

    load_october(service)
    service.clock = fixed(datetime(2026, 12, 1, 3, 0, tzinfo=UTC))  # 10:00 on 1 December
    tree = parse_page(client.get("/thong-ke?lang=en").data, "en")
    assert by_id(tree, "month").get("value") == "2026-11"
    words = text_of(tree)
    assert "Nothing was received or resolved yet in December 2026, so these are the figures of " \
           "the latest month that had some." in words
    assert "/thong-ke?month=2026-12" in {a.get("href") for a in find_all(tree, "a")}
    # Asked for, the empty month is shown as it is, without the notice.
    december = text_of(parse_page(client.get("/thong-ke?month=2026-12&lang=en").data, "en"))
    assert "No office received or resolved a dossier in this month." in december
    assert "latest month that had some" not in december
    # Once something happens in December, December it is.
    put(service, A, f"{A}-261201-0001", "2026-12-01T08:00", "2026-12-10")
    service.clock = fixed(datetime(2026, 12, 1, 3, 0, tzinfo=UTC))
    assert stats.FiguresCache(service.store).latest_with_data(service.clock()) == stats.Month(2026, 12)


def test_nothing_at_all_opens_on_the_current_month(client):
    tree = parse_page(client.get("/thong-ke").data, "vi")
    assert by_id(tree, "month").get("value") == "2026-11"
    assert "tháng gần nhất có hồ sơ" not in text_of(tree)


def bars_by_office(tree):
    svg = next(tree.iter("{http://www.w3.org/2000/svg}svg"))
    found = {}
    for group in svg.iter("{http://www.w3.org/2000/svg}g"):
        title = next(group.iter("{http://www.w3.org/2000/svg}title")).text
        rects = {r.get("class"): float(r.get("width")) for r in group.iter("{http://www.w3.org/2000/svg}rect")}
        words = [t.text for t in group.iter("{http://www.w3.org/2000/svg}text")]
        found[title.split(":")[0]] = (rects, words)
    return found


def test_zero_per_cent_and_nothing_resolved_are_drawn_differently(client, service):
    load_october(service)
    late = "000.00.31.H17"
    service.put_agency(late, {"name_vi": "UBND phường Hòa Khánh", "name_en": "", "address": "",
                              "pickup_hours": "", "hotline": ""}, late)
    put(service, late, f"{late}-261001-0001", "2026-10-01T09:00", "2026-10-05", ("ready", "2026-10-09T09:00"))
    october = bars_by_office(parse_page(client.get("/thong-ke?month=2026-10&lang=en").data, "en"))
    rects, words = october["UBND phường Hòa Khánh"]
    assert rects == {"track": 272.0, "bar zero": 3.0} and words[-1] == "0%"  # a red stub, and 0%
    november = bars_by_office(parse_page(client.get("/thong-ke?month=2026-11&lang=en").data, "en"))
    rects, words = november["Thanh Xuan Ward"]  # in progress, nothing resolved
    assert rects == {"track none": 271.0}  # only a dashed outline: no track, no bar
    assert "none resolved" in words and words[-1] == "–"


def test_each_figure_carries_its_column_name_for_narrow_screens(client, service):
    load_october(service)
    tree = parse_page(client.get("/thong-ke?month=2026-10&lang=en").data, "en")
    row = [r for r in find_all(tree, "tr") if text_of(r).startswith("Thanh Xuan Ward")][0]
    assert [(c.get("data-label"), text_of(c)) for c in find_all(row, "td")] == [
        ("Received in the month", "7"), ("Resolved in the month", "4"), ("Resolved on time", "3"),
        ("On time", "75%"), ("In progress", "3"), ("Overdue in progress", "1")]
