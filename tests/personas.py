"""The people of every test: the same name means the same person in every file.

Lakeside clinic: alice (therapist), frank (a second therapist), carol (clinic admin),
dan (a client with his own login; his record is Dan Marlowe's) and erin (another client
with her own login, Erin Ashdown). Hilltop, another clinic: bob (therapist). Gail Fenwick
is a Lakeside client without a login (her intake holds a red flag in the records world).

`people()` creates them. Passwords are unusable unless `password=` is given (force_login
needs none, and hashing is slow); with a password every persona gets the same one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from myomap.accounts.models import Clinic, User

DAN_FAMILY_NAME = "Marlowe"  # only someone who may see Dan's record ever reads this name
DAN_BORN = dt.date(1980, 5, 17)
ERIN_FAMILY_NAME = "Ashdown"
ERIN_BORN = dt.date(1991, 2, 3)
GAIL_FAMILY_NAME = "Fenwick"
GAIL_BORN = dt.date(1962, 8, 9)

# username -> (role, clinic, first name, last name)
ROSTER: dict[str, tuple[str, str, str, str]] = {
    "alice": (User.Role.THERAPIST, "Lakeside", "Alice", "Moss"),
    "frank": (User.Role.THERAPIST, "Lakeside", "Frank", "Orr"),
    "carol": (User.Role.ADMIN, "Lakeside", "Carol", "Hart"),
    "dan": (User.Role.CLIENT, "Lakeside", "Dan", DAN_FAMILY_NAME),
    "erin": (User.Role.CLIENT, "Lakeside", "Erin", ERIN_FAMILY_NAME),
    "bob": (User.Role.THERAPIST, "Hilltop", "Bob", "Tarn"),
}


@dataclass
class People:
    lakeside: Clinic
    hilltop: Clinic
    alice: User
    frank: User
    carol: User
    dan: User
    erin: User
    bob: User


def member(
    username: str, role: str, clinic: Clinic | None, password: str | None = None, **names: str
) -> User:
    user = User(username=username, role=role, clinic=clinic, **names)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    return user


def person(username: str, clinics: dict[str, Clinic], password: str | None = None) -> User:
    role, clinic, first, last = ROSTER[username]
    return member(username, role, clinics[clinic], password, first_name=first, last_name=last)


def people(password: str | None = None, only: tuple[str, ...] | None = None) -> People:
    """Both clinics and every persona (or just those in `only`; the others are None)."""
    clinics = {
        "Lakeside": Clinic.objects.create(name="Lakeside"),
        "Hilltop": Clinic.objects.create(name="Hilltop"),
    }
    users = {
        name: person(name, clinics, password) if only is None or name in only else None
        for name in ROSTER
    }
    return People(lakeside=clinics["Lakeside"], hilltop=clinics["Hilltop"], **users)  # type: ignore[arg-type]
