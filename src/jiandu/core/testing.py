"""Test helpers shared by every app's tests."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with small costs, so that tests hash with the production algorithm but quickly."""

    algorithm = "argon2"
    time_cost = 1
    memory_cost = 1024
    parallelism = 1
