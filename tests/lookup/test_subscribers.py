"""The core's per-number settings and delivery reports, on both databases."""

from datetime import timedelta

from lookup import delivery
from lookup.store import notifications as rows
from lookup.store import phones as phone_rows
from lookup.store.schema import dossiers
from lookup.subscribers import PhoneSettings, Subscribers
from tests.conftest import AGENCY, NOW, make_app
from tests.lookup.core import put


def test_settings_and_updates(database_url):
    app = make_app(database_url)
    subscribers: Subscribers = app.extensions["tracuu.subscribers"]
    try:
        assert subscribers.settings("+84912000001") == PhoneSettings("+84912000001")
        subscribers.update("+84912000001", opted_out=True, language="en")
        subscribers.update("+84912000002", language="vi")
        subscribers.update("+84912000003")  # nothing asked: no row
        subscribers.update("+84912000001", opted_out=False)
        assert subscribers.settings("+84912000001") == PhoneSettings("+84912000001", "en", False)
        assert subscribers.settings("+84912000002") == PhoneSettings("+84912000002", "vi", False)
        with app.extensions["tracuu.store"].connect() as conn:
            assert phone_rows.get(conn, "+84912000003") == PhoneSettings("+84912000003")
    finally:
        app.extensions["tracuu.store"].dispose()


def test_delivery_reports_only_move_forward(database_url):
    app = make_app(database_url)
    subscribers: Subscribers = app.extensions["tracuu.subscribers"]
    store = app.extensions["tracuu.store"]
    try:
        service = app.extensions["tracuu.service"]
        service.put_agency(AGENCY, {"name_vi": "UBND phường", "name_en": "", "address": "",
                                    "pickup_hours": "", "hotline": ""}, AGENCY)
        put(service)
        with store.begin() as conn:
            dossier_id = conn.execute(dossiers.select()).first().id
            sent = rows.insert(conn, _row(dossier_id, "a", delivery.SENT, "SM1"))
            waiting = rows.insert(conn, _row(dossier_id, "b", delivery.SENDING, None))
        assert subscribers.record_delivery("twilio", "SM1", delivery.DELIVERED)
        assert not subscribers.record_delivery("twilio", "SM1", delivery.SENT)  # stale
        assert not subscribers.record_delivery("kannel", "SM1", delivery.FAILED)  # another provider's id
        # A report for a row whose worker has not stored the id yet waits, then gives up.
        assert not subscribers.record_delivery("twilio", "SM2", delivery.DELIVERED, reference=str(waiting),
                                               wait=0.2)
        with store.connect() as conn:
            assert rows.get(conn, sent).status == delivery.DELIVERED
            assert rows.get(conn, waiting).status == delivery.SENDING
    finally:
        store.dispose()


def _row(dossier_id: int, cause: str, status: str, message_id: str | None) -> dict:
    return {"dossier_id": dossier_id, "cause": cause, "kind": "pickup", "to_phone": "+84912000001",
            "language": "vi", "body": "text", "status": status, "provider": "twilio",
            "provider_message_id": message_id, "attempts": 1, "error": "", "created_at": NOW,
            "updated_at": NOW - timedelta(minutes=1)}
