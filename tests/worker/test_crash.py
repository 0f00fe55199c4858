"""The crash test (small): alerts through real RQ worker processes that are SIGKILLed at random
moments and restarted. Counted at the fake provider: nothing lost; nothing twice on Twilio
(asked before re-sending); on Kannel, which cannot be asked, at most one duplicate per kill that
landed inside a send, and each such kill counted. With ALERT_CHANNELS=zalo,sms ("zalo"): the
same, ZNS being unable to say like Kannel, and no alert reaching a phone by both channels."""

import pytest

from tests.worker.chaos import drill


@pytest.mark.parametrize("provider", ["twilio", "kannel", "zalo"])
def test_killed_workers_lose_nothing_and_duplicate_only_where_the_provider_cannot_say(
        provider, tmp_path, redis_url):
    outcome = drill(provider, 80, tmp_path, redis_url, workers=3, kill_every=0.7, rate=30, seed=5,
                    timeout=240)  # a guard, not a measure: kills on a loaded machine are slow to heal
    print("\n".join(outcome.lines()))
    assert outcome.kills >= 3
    assert outcome.lost == 0
    assert outcome.kills_inside_send <= outcome.kills
    if provider == "twilio":
        assert outcome.duplicates == 0
        assert outcome.counted_possible_duplicates == 0
    else:
        assert outcome.duplicates <= outcome.counted_possible_duplicates <= outcome.kills_inside_send
    if provider == "zalo":
        assert outcome.both_channels == 0
        assert outcome.by_zalo > 0 and outcome.by_sms >= 80 // 4
