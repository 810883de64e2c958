"""API token authentication served from the directory cache (`orgs.directory`).

DRF's own TokenAuthentication reads the token and its user on every request, and the roles and
the agency are read after it: three queries for rows that change a few times a day. This one asks
`orgs.directory`, which reads only the directory's stamp while nothing has changed, and rereads
the rows as soon as anything has (a role taken away, a person deactivated, a token deleted).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from jiandu.orgs import directory


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, as DRF's, with the person's roles and agency loaded."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        found = directory.principal(key)
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        person, token = found
        if not person.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return person, token
