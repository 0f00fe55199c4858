"""Bulk CSV import: rows checked like the API, rejected lines named, safe to run again."""

import csv

import pytest
from sqlalchemy import func, select

from lookup import importer
from lookup.store.schema import dossiers, events
from tests.conftest import AGENCY

HEADER = ["code", "agency_id", "procedure_name", "applicant_name", "applicant_phone", "received_at",
          "due_at", "status", "status_at", "pin"]
GOOD = [
    ["000.00.04.H40-260101-0001", AGENCY, "Cấp giấy khai sinh", "Nguyễn Văn An", "0912345678",
     "2026-01-01", "2026-01-10", "returned", "2026-01-09", "123456"],
    ["000.00.04.H40-260101-0002", AGENCY, "Chứng thực", "Trần Thị Bình", "01662345678",
     "2026-01-01T08:00:00", "2026-01-05", "processing", "", ""],
]
BAD = [
    ["000.00.04.H40-260101-0003", AGENCY, "", "Lê C", "0912345678", "2026-01-01", "2026-01-05",
     "received", "", ""],  # no procedure
    ["1.000948.H38", AGENCY, "X", "Lê C", "0912345678", "2026-01-01", "2026-01-05", "received", "", ""],
    ["000.00.04.H40-260101-0004", AGENCY, "X", "Lê C", "12", "2026-01-01", "2026-01-05", "received", "", ""],
    ["000.00.04.H40-260101-0005", AGENCY, "X", "Lê C", "0912345678", "01/01/2026", "2026-01-05",
     "received", "", ""],
    ["000.00.04.H40-260101-0006", AGENCY, "X", "Lê C", "0912345678", "2026-01-01", "2026-01-05", "lost",
     "", ""],
    ["too", "few", "columns"],
]


def write_csv(path, rows, header=HEADER, encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def totals(service):
    with service.store.connect() as conn:
        return (conn.execute(select(func.count()).select_from(dossiers)).scalar_one(),
                conn.execute(select(func.count()).select_from(events)).scalar_one())


def test_import_reports_lines_and_is_safe_to_rerun(service, tmp_path):
    path = write_csv(tmp_path / "legacy.csv", GOOD + BAD)
    report = importer.import_file(service, path, progress=False)
    assert report.imported == 2
    assert [line for line, _ in report.rejected] == [4, 5, 6, 7, 8, 9]
    reasons = dict(report.rejected)
    assert reasons[4].startswith("procedure_name")
    assert reasons[5].startswith("code")
    assert reasons[6].startswith("applicant_phone")
    assert reasons[9].startswith("expected 10 columns")
    assert report.placeholder_agencies == {AGENCY}
    assert totals(service) == (2, 0)

    first_pin = service.resolve(GOOD[1][0]).code and _pin(service, GOOD[1][0])
    again = importer.import_file(service, path, progress=False)
    assert again.imported == 2 and totals(service) == (2, 0)
    assert _pin(service, GOOD[1][0]) == first_pin
    assert _pin(service, GOOD[0][0]) == "123456"
    view = service.resolve(GOOD[0][0])
    assert view.status == "returned"


def _pin(service, code):
    from lookup.codes import match_key

    with service.store.connect() as conn:
        query = select(dossiers.c.pin).where(dossiers.c.match_key == match_key(code))
        return conn.execute(query).scalar_one()


def test_an_older_export_does_not_undo_newer_events(service, tmp_path):
    from lookup.ingest import event_fields

    importer.import_file(service, write_csv(tmp_path / "a.csv", GOOD), progress=False)
    service.add_event(GOOD[1][0], event_fields({"status": "ready", "at": "2026-01-04"}), AGENCY)
    importer.import_file(service, write_csv(tmp_path / "a.csv", GOOD), progress=False)
    assert service.resolve(GOOD[1][0]).status == "ready"


def test_repeated_code_in_one_file_the_later_wins(service, tmp_path):
    later = list(GOOD[0])
    later[2] = "Cấp lại giấy khai sinh"
    report = importer.import_file(service, write_csv(tmp_path / "d.csv", [GOOD[0], later]), progress=False)
    assert report.imported == 1
    assert report.rejected == [(2, "code repeated on line 3; the later line wins")]
    assert service.resolve(GOOD[0][0]).procedure_name("vi") == "Cấp lại giấy khai sinh"


def test_non_utf8_rows_are_named(service, tmp_path):
    path = tmp_path / "cp1258.csv"
    path.write_bytes(",".join(HEADER).encode() + b"\n" + ",".join(GOOD[0]).encode("utf-8") + b"\n"
                     + ",".join(GOOD[1]).encode("utf-8").replace("Trần".encode(), b"Tr\xe2\xa7n") + b"\n")
    report = importer.import_file(service, str(path), progress=False)
    assert report.imported == 1
    assert report.rejected[0][0] == 3 and "UTF-8" in report.rejected[0][1]


def test_semicolons_and_bom(service, tmp_path):
    path = tmp_path / "excel.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(GOOD)
    assert importer.import_file(service, str(path), progress=False).imported == 2


def test_missing_columns_stop_before_anything(service, tmp_path):
    with pytest.raises(importer.BadFile, match="missing columns: status"):
        importer.import_file(service, write_csv(tmp_path / "x.csv", [], header=HEADER[:7]), progress=False)


def test_cli(runner, tmp_path):
    path = write_csv(tmp_path / "cli.csv", GOOD + BAD[:1])
    result = runner.invoke(args=["import-csv", path, "--quiet"])
    assert result.exit_code == 0, result.output
    assert "imported 2 rows, rejected 1" in result.output
    assert "line 4: procedure_name" in result.output
    # The office the rows name was new: the operator is told which, and how to describe it.
    assert f"offices new to tracuu, stored as placeholders: {AGENCY}" in result.output
    assert "PUT /api/v1/agencies/<id>" in result.output
    again = runner.invoke(args=["import-csv", path, "--quiet"])
    assert "imported 2 rows" in again.output and "placeholders" not in again.output


def test_cli_bad_file(runner, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("name,phone\nx,y\n")
    result = runner.invoke(args=["import-csv", str(path)])
    assert result.exit_code == 1
    assert "missing columns" in result.output


def test_create_api_key_prints_the_key_last(runner, service):
    result = runner.invoke(args=["create-api-key", AGENCY])
    assert result.exit_code == 0
    key = result.output.strip().splitlines()[-1]
    assert service.agency_for_key(key) == AGENCY


def test_imported_state_beats_older_events_and_shows_in_the_timeline(service, tmp_path):
    from lookup.ingest import event_fields
    from lookup.views import Proof

    importer.import_file(service, write_csv(tmp_path / "a.csv", GOOD), progress=False)
    code = GOOD[0][0]  # returned on 2026-01-09
    change = service.add_event(code, event_fields({"status": "processing", "at": "2026-01-03"}), AGENCY)
    assert change.status == "returned" and not change.status_changed
    view = service.resolve(code, Proof(pin="123456"))
    assert view.status == "returned"
    assert [e.status for e in view.timeline] == ["processing", "returned"]
