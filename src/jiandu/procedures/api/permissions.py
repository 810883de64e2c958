"""Who may call which part of the API.

A 12345 hotline service account (Role.HOTLINE) holds a token for the hotline endpoints and nothing
else: staff endpoints refuse it, whatever other roles the account may have been given by mistake.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from jiandu.orgs.models import Role


def is_hotline(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.HOTLINE))


class IsStaff(BasePermission):
    """Signed-in staff; a hotline service account is refused."""

    message = "12345热线接口账号只能使用热线接口。"

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated) and not is_hotline(request.user)


class IsHotline(BasePermission):
    """Only a 12345 hotline service account."""

    message = "只有12345热线接口账号可以使用此接口。"

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_hotline(request.user)
