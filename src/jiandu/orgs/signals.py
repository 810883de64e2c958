"""Every sign-in, failed sign-in and lockout goes to the ledger.

The attempted user name is not written (people type passwords into it); a failed attempt names
the person only when the user name belongs to one.
"""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from jiandu.ledger.services import record

from .models import Person


def _known_person(username: str | None) -> Person | None:
    if not username:
        return None
    return Person.objects.select_related("agency").filter(username=username).first()


@receiver(user_logged_in)
def ledger_login(sender: Any, request: Any, user: Person, **kwargs: Any) -> None:
    record("auth.login", actor=user, agency=user.agency, obj=user, payload={})


@receiver(user_logged_out)
def ledger_logout(sender: Any, request: Any, user: Person | None, **kwargs: Any) -> None:
    if user is not None:
        record("auth.logout", actor=user, agency=user.agency, obj=user, payload={})


@receiver(user_login_failed)
def ledger_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    person = _known_person(credentials.get("username"))
    record(
        "auth.login_failed",
        actor=None,
        actor_label="public",
        agency=person and person.agency,
        obj=person,
        payload={"known_user": person is not None},
    )


@receiver(user_locked_out)
def ledger_locked_out(sender: Any, request: Any, username: str | None = None, **kwargs: Any) -> None:
    person = _known_person(username)
    record(
        "auth.locked_out",
        actor=None,
        actor_label="public",
        agency=person and person.agency,
        obj=person,
        payload={"known_user": person is not None},
    )
