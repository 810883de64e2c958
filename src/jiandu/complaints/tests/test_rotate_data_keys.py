"""`jiandu rotate_data_keys`: stored complainants re-encrypted with the new key, and a clear failure
once no key opens them."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from jiandu.complaints import services
from jiandu.complaints.models import Complaint
from jiandu.complaints.tests.test_services import intake
from jiandu.core import crypto
from jiandu.orgs.models import Agency

OLD = "0yY4jv6hG7n1bcxKk6l9t3h0m0V7m1h2Q9uXv2q5bqk="


@pytest.mark.django_db
def test_rotation_re_encrypts_stored_values(settings, demo):
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
