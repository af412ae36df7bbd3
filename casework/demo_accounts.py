"""Demo accounts, one per role, for the embedded demo (``PORTAL_ENV=demo`` only).

Interface (stable; browser journey tests rely on it):

- ``manage.py ensure_demo_accounts [--no-cases]`` creates or repairs every account
  below, then (unless ``--no-cases``) the demo cases (``casework.demo_cases``), and
  prints a table of role, name, e-mail address and password. Idempotent: a second run
  keeps every password and second factor and creates no new cases.
- ``manage.py ensure_demo_admin`` does the same for the administrator only (as before).
- ``manage.py demo_totp_code [EMAIL]`` prints the current TOTP code of that account
  (default: the administrator), followed by ``(valid for another N s)``. It never
  prints a code with less than 3 s to live: it waits for the next period instead.
- ``var/demo-accounts.json`` (``settings.VAR_DIR``, mode 0600) is a JSON **list** of
  objects, in the order of ``ACCOUNTS``::

      [
        {
          "key": "partner-1",            # stable id, see ACCOUNTS below
          "email": "s.dewit@gemeente-helmond.example",
          "password": "…",               # random, generated once
          "role": "Partner (aanmelder)", # Dutch label
          "name": "Sanne de Wit",
          "organisation": "Gemeente Helmond – sociaal domein",  # null for ZVH staff
          "totp_secret": "…"             # base32, for an authenticator app
        },
        …
      ]

  Keys: ``beheerder`` (superuser, no casework role), ``partner-1``, ``partner-2``,
  ``procesregisseur``, ``manager``, ``functioneel-beheer``, ``privacy-officer``,
  ``redacteur`` (Wagtail "Editors" and "Moderators" groups: edits, publishes, sends
  the newsletter).

Every account has a first and last name, a verified primary e-mail address (allauth)
and an activated TOTP authenticator (the casework middleware requires a second factor
on /partners/ and in the admins). All names and addresses are invented.
"""

import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.mfa.utils import decrypt

from portal.mail import normalise_email

from . import roles, services
from .models import PartnerOrganisation

ADMIN_KEY = "beheerder"
ADMIN_USERNAME = "admin"
ADMIN_EMAIL = "admin@zvh-bzo.example"
# Wagtail's own groups (created by Wagtail's migrations): "Editors" may edit pages,
# "Moderators" may also publish them. The ZVH editor publishes pages and sends the
# newsletter (which needs the publish permission), so the demo editor is in both.
WAGTAIL_EDITORS = "Editors"
WAGTAIL_MODERATORS = "Moderators"


class DemoAccountsError(Exception):
    """The demo accounts cannot be made (e.g. the demo content is not loaded yet)."""


@dataclass(frozen=True)
class DemoAccount:
    key: str
    email: str
    first_name: str
    last_name: str
    role: str  # Dutch label, shown in the table and kept in the JSON file
    organisation: str | None = None
    groups: tuple[str, ...] = ()
    superuser: bool = False
    username: str = ""

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        key=ADMIN_KEY,
        email=ADMIN_EMAIL,
        first_name="Joost",
        last_name="van Dommelen",
        role="Beheerder (superuser)",
        superuser=True,
        username=ADMIN_USERNAME,
    ),
    DemoAccount(
        key="partner-1",
        email="s.dewit@gemeente-helmond.example",
        first_name="Sanne",
        last_name="de Wit",
        role="Partner (aanmelder)",
        organisation="Gemeente Helmond – sociaal domein",
    ),
    DemoAccount(
        key="partner-2",
        email="r.bakker@politie-peelland.example",
        first_name="Ruben",
        last_name="Bakker",
        role="Partner (aanmelder)",
        organisation="Politie basisteam Peelland",
    ),
    DemoAccount(
        key="procesregisseur",
        email="f.verhoeven@zvh-bzo.example",
        first_name="Femke",
        last_name="Verhoeven",
        role="Procesregisseur",
        groups=(roles.PROCESREGISSEUR,),
    ),
    DemoAccount(
        key="manager",
        email="m.kuijpers@zvh-bzo.example",
        first_name="Marloes",
        last_name="Kuijpers",
        role="Manager",
        groups=(roles.MANAGER,),
    ),
    DemoAccount(
        key="functioneel-beheer",
        email="t.vangestel@zvh-bzo.example",
        first_name="Tim",
        last_name="van Gestel",
        role="Functioneel beheerder",
        groups=(roles.FUNCTIONEEL_BEHEER,),
    ),
    DemoAccount(
        key="privacy-officer",
        email="l.hendriks@zvh-bzo.example",
        first_name="Lotte",
        last_name="Hendriks",
        role="Privacy officer",
        groups=(roles.PRIVACY_OFFICER,),
    ),
    DemoAccount(
        key="redacteur",
        email="d.peeters@zvh-bzo.example",
        first_name="Daan",
        last_name="Peeters",
        role="Redacteur",
        groups=(WAGTAIL_EDITORS, WAGTAIL_MODERATORS),
    ),
)

BY_KEY = {account.key: account for account in ACCOUNTS}


# --- The file in var/ ----------------------------------------------------------------


# A code with less time to live than this is refused by the time it has been typed
# (allauth allows no tolerance): wait for the next period instead.
TOTP_MIN_SECONDS_LEFT = 3


def totp_code_to_type(secret: str) -> tuple[str, int]:
    """The code an authenticator app shows for ``secret`` that will still be valid
    when typed, and how many seconds it stays valid. Used by ``manage.py
    demo_totp_code`` and by the tests' sign-ins (tests/mfa.py)."""
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < TOTP_MIN_SECONDS_LEFT:
        time.sleep(left + 0.05)
    now = int(time.time())
    return format_hotp_value(hotp_value(secret, now // period)), period - now % period


def accounts_file() -> Path:
    """Read from settings at call time (tests point VAR_DIR at a temporary directory)."""
    return Path(settings.VAR_DIR) / "demo-accounts.json"


def legacy_admin_files() -> tuple[Path, Path]:
    """Where ``ensure_demo_admin`` kept the administrator's password and TOTP secret
    before this file existed; still written, for existing scripts."""
    var = Path(settings.VAR_DIR)
    return var / "demo-admin-password.txt", var / "demo-admin-totp-secret.txt"


def read_entries() -> list[dict]:
    """The stored accounts (empty when there is no file yet)."""
    path = accounts_file()
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def entry_for(email: str) -> dict | None:
    email = normalise_email(email)
    return next((row for row in read_entries() if normalise_email(row["email"]) == email), None)


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` readable by the owner only (0600), replacing the file atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)
    path.chmod(0o600)


def _write_entries(entries: list[dict[str, Any]]) -> None:
    order = {account.key: index for index, account in enumerate(ACCOUNTS)}
    entries = sorted(entries, key=lambda row: order.get(row.get("key", ""), len(order)))
    _write_private(accounts_file(), json.dumps(entries, ensure_ascii=False, indent=2) + "\n")


# --- Creating the accounts ------------------------------------------------------------


def _stored_credentials(account: DemoAccount, stored: dict | None) -> tuple[str, str]:
    """(password, totp secret) kept from an earlier run, or empty strings."""
    if stored:
        return stored.get("password", ""), stored.get("totp_secret", "")
    if account.key == ADMIN_KEY:
        # A demo set up before demo-accounts.json existed keeps its admin credentials.
        password_file, secret_file = legacy_admin_files()
        return (
            password_file.read_text().strip() if password_file.exists() else "",
            secret_file.read_text().strip() if secret_file.exists() else "",
        )
    return "", ""


def _organisation(account: DemoAccount) -> PartnerOrganisation | None:
    if account.organisation is None:
        return None
    organisation = PartnerOrganisation.objects.filter(name=account.organisation).first()
    if organisation is None:
        raise DemoAccountsError(
            f"Partner organisation {account.organisation!r} is missing: run `manage.py load_demo` first."
        )
    return organisation


def _groups(account: DemoAccount) -> list[Group]:
    if any(name in roles.STAFF_ROLES for name in account.groups):
        roles.ensure_roles()
    found = list(Group.objects.filter(name__in=account.groups))
    if len(found) != len(account.groups):
        missing = set(account.groups) - {group.name for group in found}
        raise DemoAccountsError(f"Group(s) missing: {', '.join(sorted(missing))}.")
    return found


def _totp_secret(user, wanted: str) -> str:
    """Keep the user's TOTP authenticator when it matches ``wanted`` (or when nothing is
    wanted: its secret is read back); otherwise replace it. Returns the secret in use."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        current = decrypt(existing.data["secret"])
        if not wanted or current == wanted:
            return current
        existing.delete()
    secret = wanted or generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def _ensure_one(account: DemoAccount, stored: dict | None) -> dict:
    User = get_user_model()
    organisation = _organisation(account)
    groups = _groups(account)
    password, wanted_secret = _stored_credentials(account, stored)
    username = account.username or account.email
    user = User.objects.filter(username=username).first()
    created = user is None
    if user is None:
        user = User(username=username)
    user.email = account.email
    user.first_name = account.first_name
    user.last_name = account.last_name
    user.is_active = True
    if account.superuser:
        user.is_superuser = user.is_staff = True
    elif roles.FUNCTIONEEL_BEHEER in account.groups:
        # As an accepted invitation gives it (services.invitation_accept).
        user.is_staff = True
    # The password is set when the account is new or none was kept; a kept one is not
    # checked again on every run (a deliberately slow hash per account).
    if not password:
        password = secrets.token_urlsafe(12)
        user.set_password(password)
    elif created or not user.has_usable_password():
        user.set_password(password)
    user.save()
    EmailAddress.objects.filter(user=user).exclude(email__iexact=account.email).update(
        primary=False
    )
    EmailAddress.objects.update_or_create(
        user=user, email=account.email, defaults={"verified": True, "primary": True}
    )
    if not account.superuser:
        # The demo role is the account's only role; the administrator keeps whatever
        # roles someone gave it in the admin.
        user.groups.set(groups)
    if organisation is not None:
        services.membership_set(user=user, organisation=organisation)
    secret = _totp_secret(user, wanted_secret)
    return {
        "key": account.key,
        "email": account.email,
        "password": password,
        "role": account.role,
        "name": account.name,
        "organisation": account.organisation,
        "totp_secret": secret,
    }


def ensure_accounts(keys: list[str] | None = None) -> list[dict]:
    """Create or repair the demo accounts (all, or those in ``keys``) and keep their
    credentials in ``var/demo-accounts.json``. Returns the entries of the accounts done."""
    if not settings.DEMO:
        raise DemoAccountsError("Demo accounts exist only in demo mode (PORTAL_ENV=demo).")
    wanted = [BY_KEY[key] for key in keys] if keys is not None else list(ACCOUNTS)
    stored = {row["key"]: row for row in read_entries() if "key" in row}
    done = []
    with transaction.atomic():
        for account in wanted:
            done.append(_ensure_one(account, stored.get(account.key)))
    stored.update({row["key"]: row for row in done})
    _write_entries(list(stored.values()))
    if any(row["key"] == ADMIN_KEY for row in done):
        admin = next(row for row in done if row["key"] == ADMIN_KEY)
        password_file, secret_file = legacy_admin_files()
        _write_private(password_file, admin["password"])
        _write_private(secret_file, admin["totp_secret"])
    return done


def table(entries: list[dict]) -> str:
    """The accounts as a plain-text table (Dutch headings: the demo user reads it)."""
    header = ("Rol", "Naam", "Organisatie", "E-mailadres", "Wachtwoord")
    rows = [
        (row["role"], row["name"], row["organisation"] or "ZVH", row["email"], row["password"])
        for row in entries
    ]
    widths = [max(len(cells[i]) for cells in [header, *rows]) for i in range(len(header))]

    def line(cells) -> str:
        cells = zip(cells, widths, strict=True)
        return "  ".join(cell.ljust(width) for cell, width in cells).rstrip()

    lines = [line(row) for row in rows]
    heading = line(header)
    return "\n".join([heading, "  ".join("-" * width for width in widths), *lines])
