from tests.worker.support import Dossiers, all_done, all_rows, build_app, wait_until


def test_ready_alert_goes_out_through_twilio(values, twilio, workers):
    app = build_app(values)
    dossiers = Dossiers(app)
    code = dossiers.new()
    dossiers.event(code, "ready", note="Mang theo CCCD")
    group = workers(values)
    group.start(1)
    wait_until(lambda: all_done(app), timeout=20, what="alert sent")
    found = all_rows(app)
    print(found, twilio.sent())
    assert [r.status for r in found] == ["sent"]
