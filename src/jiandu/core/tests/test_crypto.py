"""Personal data encryption: a round trip, and no plain text in the token.

Rotation to a new key and the failure without it are tested on stored complaints
(complaints/tests/test_rotate_data_keys.py).
"""

from jiandu.core import crypto

OLD = "0yY4jv6hG7n1bcxKk6l9t3h0m0V7m1h2Q9uXv2q5bqk="


def test_round_trip_and_no_plaintext(settings):
    settings.JIANDU_DATA_KEYS = [OLD]
    token = crypto.encrypt_json({"name": "王某某", "phone": "13900009999"})
    assert "王某某" not in token and "13900009999" not in token
    assert crypto.decrypt_json(token) == {"name": "王某某", "phone": "13900009999"}
