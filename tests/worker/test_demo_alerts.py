"""The demo's real-looking numbers are never texted: its alerts go to the console, whatever
SMS_SENDER says, while a real dossier beside it goes to the provider."""

from __future__ import annotations

from lookup import delivery, demo
from tests.worker.support import Dossiers, all_done, all_rows, build_app, wait_until


def test_demo_alerts_go_to_the_console_and_real_ones_to_the_provider(values, twilio, workers):
    app = build_app(values)  # SMS_SENDER=twilio, pointed at the fake
    demo.load(app.extensions["tracuu.service"])
    shop = Dossiers(app)
    real = shop.new(phone="0912345678")
    shop.event(real, "ready")
    group = workers(values)
    group.start(1)
    wait_until(lambda: all_done(app), what="every alert handled")

    found = all_rows(app)
    demo_phones = {row.to_phone for row in found if row.to_phone != "+84912345678"}
    assert len(demo_phones) >= 5  # ready, supplement, fee, not accepted, stopped in the demo
    assert [m.to for m in twilio.sent()] == ["+84912345678"]
    for row in found:
        assert row.status == delivery.SENT
        assert row.provider == ("twilio" if row.to_phone == "+84912345678" else "console")
    logs = group.logs(full=True)
    assert "console accepted a text" in logs
    for phone in demo_phones:
        assert phone not in logs
    app.extensions["tracuu.store"].dispose()
