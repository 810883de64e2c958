"""`jiandu hotline_account create USERNAME --agency CODE` / `rotate USERNAME`: the 12345 hotline's account.

`create` makes a service account (Role.HOTLINE, through `orgs.services.create_person`) bound to
the agency whose hotline it is — it may hand tickets over to that agency and every agency below
it — and issues its API token. `rotate` issues a new token; the old one stops working at once.
The token is printed once, on the first line of stdout, and nowhere else: not in the ledger
(which records that a token was issued, and to whom), not in any log. The account's password is
random and never shown, so the account cannot sign in to the pages.
"""

from __future__ import annotations

import argparse
import secrets

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from jiandu.core.errors import ServiceError
from jiandu.ledger.services import record
from jiandu.orgs.models import Agency, Person, Role
from jiandu.orgs.services import create_person


class Command(BaseCommand):
    """Create a hotline service account with its token, or re-issue the token."""

    help = "12345热线接口账号：create 创建账号并签发 API 令牌；rotate 重新签发令牌（旧令牌立即失效）。"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("action", choices=["create", "rotate"], help="create 创建；rotate 重新签发令牌")
        parser.add_argument("username", help="账号用户名")
        parser.add_argument("--agency", metavar="CODE", help="热线所属机关代码（create 必填），如区政府")
        parser.add_argument("--name", default="12345政务服务热线", help="账号名称")

    def handle(self, *args: object, **options: str) -> None:
        try:
            with transaction.atomic():
                if options["action"] == "create":
                    person, key = self._create(options["username"], options["agency"], options["name"])
                else:
                    person, key = self._rotate(options["username"])
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(key)
        self.stderr.write(f"账号 {person.username} 的 API 令牌如上，只显示这一次，请妥善保存。")

    def _create(self, username: str, agency_code: str | None, name: str) -> tuple[Person, str]:
        if not agency_code:
            raise CommandError("create 须用 --agency 指定热线所属机关代码。")
        agency = Agency.objects.filter(code=agency_code).first()
        if agency is None:
            raise CommandError(f"没有代码为 {agency_code} 的机关。")
        person = create_person(
            actor=None,
            username=username,
            full_name=name,
            password=secrets.token_urlsafe(32),
            agency=agency,
            roles=(Role.HOTLINE,),
        )
        token = Token.objects.create(user=person)
        record(
            "complaints.hotline_token.issue",
            agency=agency,
            obj=person,
            payload={"person": person.pk, "replaced": False},
        )
        return person, token.key

    def _rotate(self, username: str) -> tuple[Person, str]:
        person = Person.objects.filter(username=username).first()
        if person is None or not person.has_role(Role.HOTLINE):
            raise CommandError(f"{username} 不是12345热线接口账号。")
        replaced, _ = Token.objects.filter(user=person).delete()
        token = Token.objects.create(user=person)
        record(
            "complaints.hotline_token.rotate",
            agency=person.agency,
            obj=person,
            payload={"person": person.pk, "replaced": bool(replaced)},
        )
        return person, token.key
