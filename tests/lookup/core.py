"""The core on a migrated database (SQLite or PostgreSQL) with the offices a test names, and a
helper that files a dossier the way the back-office's PUT does."""

from __future__ import annotations

from lookup.ingest import dossier_fields
from lookup.service import PutResult, Service
from lookup.store import Store, migrate
from tests.conftest import AGENCY, NOW

CODE = "000.00.04.H40-261110-0001"


def open_core(database_url: str, offices: dict[str, str]) -> Service:
    """A Service at the newest schema with `offices` (id -> Vietnamese name) described."""
    migrate.upgrade(database_url)
    service = Service(Store(database_url), clock=lambda: NOW)
    for agency, name in offices.items():
        service.put_agency(agency, {"name_vi": name, "name_en": "", "address": f"số 1, {name}",
                                    "pickup_hours": "8:00-17:00", "hotline": "024 0000 0000"}, agency)
    return service


def put(service: Service, code: str = CODE, agency: str = AGENCY, key_agency: str | None = None,
        **overrides) -> PutResult:
    """File `code` for `agency` with a key of `key_agency` (the agency itself by default)."""
    body = {
        "agency_id": agency,
        "procedure_name": "Cấp giấy khai sinh",
        "applicant_name": "Nguyễn Văn An",
        "applicant_phone": "0912 345 678",
        "received_at": "2026-11-10T09:00:00+07:00",
        "due_at": "2026-11-25",
        "status": "received",
        **overrides,
    }
    return service.put_dossier(dossier_fields(code, body), key_agency or agency)
