"""Personal data encryption: round trip, rotation to a new key, and a clear failure without the key."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from jiandu.core import crypto

OLD = "0yY4jv6hG7n1bcxKk6l9t3h0m0V7m1h2Q9uXv2q5bqk="


def test_round_trip_and_no_plaintext(settings):
    settings.JIANDU_DATA_KEYS = [OLD]
    token = crypto.encrypt_json({"name": "王某某", "phone": "13900009999"})
    assert "王某某" not in token and "13900009999" not in token
    assert crypto.decrypt_json(token) == {"name": "王某某", "phone": "13900009999"}


@pytest.mark.django_db
def test_rotation_re_encrypts_stored_values(settings, demo):
    from jiandu.complaints import services
    from jiandu.complaints.models import Complaint
    from jiandu.complaints.tests.test_services import intake
    from jiandu.orgs.models import Agency

    settings.JIANDU_DATA_KEYS = [OLD]
    complaint = services.submit_complaint(intake(Agency.objects.get(code="demo-ggzy"))).complaint
    new = Fernet.generate_key().decode()
    settings.JIANDU_DATA_KEYS = [new, OLD]
    call_command("rotate_data_keys")
    settings.JIANDU_DATA_KEYS = [new]  # the old key is gone: values must still open
    stored = Complaint.objects.get(pk=complaint.pk).complainant_sealed
    assert crypto.decrypt_json(stored)["name"]
    settings.JIANDU_DATA_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt_json(stored)
