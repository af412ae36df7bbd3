"""Insiders: what a security probe with real accounts found, each proved closed.

A superuser without a role set a partner's password in the Django admin, deleted the
partner's authenticators there, signed in as the partner with a new second factor and
read the partner's cases; the audit showed only the partner's login and reads. The
chain was unkeyed SHA-256 (whoever can write the table can recompute it), nothing
showed a chain cut short, nine wrong passwords gave four entries, and anyone who
knew an address could lock that account for fifteen minutes.
"""

import json
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine
from allauth.mfa.models import Authenticator

from casework import audit
from casework.models import AuditEntry
from casework.roles import MANAGER
from tests.mfa import totp_code, with_mfa

from .factories import CaseFactory, UserFactory, staff_user
from .tamper import audit_trigger_disabled

pytestmark = pytest.mark.django_db

PASSWORD = "een-lang-wachtwoord-123"
NEW_PASSWORD = "Nieuw-en-lang-wachtwoord-77"
LOGIN = "/accounts/login/"
SECOND_STEP = "/accounts/2fa/authenticate/"


@pytest.fixture(autouse=True)
def fresh_rate_limits_and_head_file(settings, tmp_path):
    # allauth and the account brake count in the cache (Redis); a rollback keeps it.
    cache.clear()
    settings.AUDIT_HEAD_FILE = tmp_path / "chain-head.jsonl"
    yield
    cache.clear()


@pytest.fixture
def editor(db):
    """An account outside the casework (a web editor) with a second factor."""
    return with_mfa(UserFactory())


def about(user, action, **filters):
    """Entries with ``action`` whose subject is ``user``."""
    return AuditEntry.objects.filter(
        action=action, object_type="user", object_id=str(user.pk), **filters
    )


def chain_ids() -> list[int]:
    return [problem.entry_id for problem in audit.verify_chain()]


# --- Account administration is audited, with the actor ------------------------------


def test_a_password_set_in_the_django_admin_names_the_superuser(admin_client, admin_user, editor):
    url = reverse("admin:auth_user_password_change", args=[editor.pk])
    response = admin_client.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )
    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.check_password(NEW_PASSWORD)

    entry = about(editor, "account.password").latest("pk")
    assert (entry.actor_pk, entry.actor_label) == (admin_user.pk, admin_user.get_username())
    assert editor.email in entry.purpose and "admin:auth_user_password_change" in entry.purpose
    assert NEW_PASSWORD not in str(list(AuditEntry.objects.values()))
    assert chain_ids() == []


def test_an_authenticator_deleted_in_the_django_admin_names_the_superuser(
    admin_client, admin_user, editor
):
    authenticator = Authenticator.objects.get(user=editor)
    url = reverse("admin:mfa_authenticator_delete", args=[authenticator.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Authenticator.objects.filter(pk=authenticator.pk).exists()

    entry = about(editor, "mfa.removed").get()
    assert (entry.actor_pk, entry.purpose) == (admin_user.pk, "totp")
    assert chain_ids() == []


def test_a_group_change_in_the_django_admin_names_the_superuser(admin_client, admin_user, editor):
    editors = Group.objects.create(name="Redacteuren")
    url = reverse("admin:auth_user_change", args=[editor.pk])
    joined = timezone.localtime(editor.date_joined)
    response = admin_client.post(
        url,
        {
            "username": editor.username,
            "email": editor.email,
            "is_active": "on",
            "groups": [editors.pk],
            "date_joined_0": joined.strftime("%Y-%m-%d"),
            "date_joined_1": joined.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = about(editor, "account.groups").get()
    assert entry.actor_pk == admin_user.pk
    assert "+Redacteuren" in entry.purpose


def _wagtail_user_form(user, **changes):
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": "Pim",
        "last_name": "Partner",
        "is_active": "on",
        "groups": [group.pk for group in user.groups.all()],
    }
    return data | changes


def test_a_group_given_in_the_wagtail_admin_names_the_superuser(admin_client, admin_user, editor):
    editors = Group.objects.get_or_create(name="Editors")[0]
    response = admin_client.post(
        reverse("wagtailusers_users:edit", args=[editor.pk]),
        _wagtail_user_form(editor, groups=[editors.pk]),
    )
    assert response.status_code == 302
    entry = about(editor, "account.groups").get()
    assert entry.actor_pk == admin_user.pk
    assert "+Editors" in entry.purpose and "wagtailusers_users:edit" in entry.purpose


def test_the_wagtail_admin_offers_no_role_to_give(admin_client, admin_user, editor):
    """Roles go through the four-eyes service; a superuser cannot hand one out, not
    even to themselves (casework/wagtail_users.py)."""
    manager = Group.objects.get(name=MANAGER)
    for user in (editor, admin_user):
        response = admin_client.post(
            reverse("wagtailusers_users:edit", args=[user.pk]),
            _wagtail_user_form(user, groups=[manager.pk]),
        )
        assert response.status_code == 200  # the form again, with an error
        assert not user.groups.filter(pk=manager.pk).exists()
    assert not AuditEntry.objects.filter(action="account.groups").exists()


def test_the_wagtail_admin_cannot_change_a_partners_password_or_roles(admin_client, partner):
    old_hash = partner.password
    manager = Group.objects.get(name=MANAGER)
    admin_client.post(
        reverse("wagtailusers_users:edit", args=[partner.pk]),
        _wagtail_user_form(
            partner,
            password1="Een-nieuw-wachtwoord-42",
            password2="Een-nieuw-wachtwoord-42",
            groups=[manager.pk],
            email="overgenomen@example.org",
        ),
    )
    partner.refresh_from_db()
    assert partner.password == old_hash
    assert partner.email != "overgenomen@example.org"
    assert not partner.groups.filter(pk=manager.pk).exists()
    page = admin_client.get(reverse("wagtailusers_users:edit", args=[partner.pk]))
    assert 'name="password1"' not in page.content.decode()


def test_groups_and_permissions_changed_from_either_side_are_audited(editor):
    from django.contrib.auth.models import Permission

    editors = Group.objects.create(name="Redacteuren")
    editors.user_set.add(editor)
    editor.groups.clear()
    permission = Permission.objects.get(content_type__app_label="auth", codename="view_group")
    editor.user_permissions.add(permission)
    editor.user_permissions.clear()

    def purposes(action):
        return [
            p.split("; via")[0] for p in about(editor, action).values_list("purpose", flat=True)
        ]

    assert purposes("account.groups") == [
        f"{editor.email}: groups +Redacteuren",
        f"{editor.email}: groups -Redacteuren",
    ]
    assert purposes("account.permissions") == [
        f"{editor.email}: user_permissions +auth.view_group",
        f"{editor.email}: user_permissions -auth.view_group",
    ]


def test_a_password_changed_on_allauths_page_is_audited_with_its_owner(client, partner):
    client.force_login(partner)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert about(partner, "account.password", actor_pk=partner.pk).count() == 1


def test_a_superuser_made_by_a_command_is_audited_as_system(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", NEW_PASSWORD)
    call_command(
        "createsuperuser", "--noinput", username="beheer", email="beheer@example.org", verbosity=0
    )
    entry = AuditEntry.objects.get(action="account.created", purpose__startswith="beheer:")
    assert (entry.actor_pk, entry.origin) == (None, "system")
    assert "is_superuser" in entry.purpose


def test_a_membership_and_an_address_added_behind_the_screens_are_audited(editor, organisation):
    from allauth.account.models import EmailAddress

    from casework.models import Membership

    Membership.objects.create(user=editor, organisation=organisation)
    EmailAddress.objects.create(user=editor, email="tweede@example.org", verified=True)
    assert organisation.name in about(editor, "account.membership").get().purpose
    assert "tweede@example.org added" in about(editor, "account.email").latest("pk").purpose


# --- The Django admin cannot administer casework accounts ---------------------------


def test_the_django_admin_cannot_set_a_partners_password(admin_client, partner):
    url = reverse("admin:auth_user_password_change", args=[partner.pk])
    assert admin_client.get(url).status_code == 403
    response = admin_client.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )
    assert response.status_code == 403
    partner.refresh_from_db()
    assert partner.check_password(PASSWORD)
    # The change form shows the account read-only and refuses a POST.
    change = reverse("admin:auth_user_change", args=[partner.pk])
    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"username": "overgenomen"}).status_code == 403
    assert (
        admin_client.post(reverse("admin:auth_user_delete", args=[partner.pk])).status_code == 403
    )


def test_the_django_admin_cannot_remove_a_partners_authenticator(admin_client, partner):
    authenticator = Authenticator.objects.get(user=partner)
    url = reverse("admin:mfa_authenticator_delete", args=[authenticator.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    bulk = admin_client.post(
        reverse("admin:mfa_authenticator_changelist"),
        {"action": "delete_selected", "_selected_action": [authenticator.pk], "post": "yes"},
    )
    assert bulk.status_code == 403
    assert Authenticator.objects.filter(pk=authenticator.pk).exists()
    assert admin_client.get(reverse("admin:mfa_authenticator_add")).status_code == 403


def test_the_django_admin_cannot_touch_a_staff_members_address_or_role(admin_client):
    regisseur = staff_user("Procesregisseur")
    address = regisseur.emailaddress_set.get()
    url = reverse("admin:account_emailaddress_change", args=[address.pk])
    assert (
        admin_client.post(url, {"email": "ik@example.org", "user": regisseur.pk}).status_code == 403
    )
    assert admin_client.get(reverse("admin:account_emailaddress_add")).status_code == 403
    role = Group.objects.get(name=MANAGER)
    role_url = reverse("admin:auth_group_change", args=[role.pk])
    assert admin_client.post(role_url, {"name": MANAGER, "permissions": []}).status_code == 403


def test_a_superuser_cannot_give_themselves_a_role_in_the_django_admin(admin_client, admin_user):
    """Their own account is no casework account, so it stays editable: without roles
    or casework permissions among the choices."""
    page = admin_client.get(reverse("admin:auth_user_change", args=[admin_user.pk]))
    form = page.context["adminform"].form
    assert MANAGER not in {group.name for group in form.fields["groups"].queryset}
    apps = {perm.content_type.app_label for perm in form.fields["user_permissions"].queryset}
    assert "casework" not in apps


# --- The chain is keyed and its head exported ---------------------------------------


def unkeyed_rechain(from_pk: int, **changes) -> None:
    """What an attacker who can write the table but lacks the key does: change a row
    and recompute SHA-256 over every row from there on (the old, unkeyed scheme)."""
    with audit_trigger_disabled():
        AuditEntry.objects.filter(pk=from_pk).update(**changes)
        before = AuditEntry.objects.filter(pk__lt=from_pk).order_by("-pk").first()
        previous = before.entry_hash if before else audit.GENESIS
        for entry in AuditEntry.objects.filter(pk__gte=from_pk).order_by("pk"):
            entry.prev_hash = previous
            digest = audit.compute_hash(entry, audit.UNKEYED)
            AuditEntry.objects.filter(pk=entry.pk).update(prev_hash=previous, entry_hash=digest)
            previous = digest


def test_a_tampered_entry_with_a_recomputed_unkeyed_hash_is_reported_by_id(regisseur, case):
    entries = [audit.record(action="case.read", user=regisseur, obj=case) for _ in range(4)]
    unkeyed_rechain(entries[1].pk, actor_label="iemand-anders@example.org")

    problems = list(audit.verify_chain())
    assert problems[0].entry_id == entries[1].pk
    assert (problems[0].action, problems[0].at) == ("case.read", entries[1].at)
    assert {problem.entry_id for problem in problems} == {entry.pk for entry in entries[1:]}
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit_chain")


def test_relabelling_entries_as_unkeyed_does_not_pass(regisseur, case):
    entries = [audit.record(action="case.read", user=regisseur, obj=case) for _ in range(3)]
    unkeyed_rechain(entries[1].pk, result="denied")
    with audit_trigger_disabled():
        AuditEntry.objects.filter(pk__gte=entries[1].pk).update(hash_version=audit.UNKEYED)
    problems = list(audit.verify_chain())
    assert problems[0].entry_id == entries[1].pk
    assert problems[0].kind == "downgraded"


def test_entries_from_before_the_key_verify_as_written_and_are_sealed(regisseur, case):
    """The migration keeps old entries (hash version 1) as they are; the first keyed
    entry after them covers their last hash."""
    entries = [audit.record(action="case.read", user=regisseur, obj=case) for _ in range(3)]
    # The whole chain so far as it was before the key (the fixtures wrote entries too).
    unkeyed_rechain(AuditEntry.objects.order_by("pk").first().pk)
    with audit_trigger_disabled():
        AuditEntry.objects.update(hash_version=audit.UNKEYED)
    sealing = audit.record(action="audit.chain_keyed")
    assert chain_ids() == []
    # Rewriting an old entry now breaks the first keyed entry after them.
    unkeyed_rechain(entries[1].pk, result="denied")
    assert chain_ids() == [sealing.pk]


def test_truncating_the_newest_entries_shows_against_the_exported_head(
    settings, regisseur, case, caplog
):
    from casework.tasks import export_audit_chain_head

    entries = [audit.record(action="case.read", user=regisseur, obj=case) for _ in range(4)]
    count = AuditEntry.objects.count()
    with caplog.at_level("INFO", logger="casework.audit"):
        assert export_audit_chain_head.delay().get() == count
    grouped = ":".join(entries[-1].entry_hash[i : i + 8] for i in range(0, 64, 8))
    assert grouped in caplog.text
    assert str(entries[-1].pk) in settings.AUDIT_HEAD_FILE.read_text()
    assert chain_ids() == []

    # The newest two entries go; what is left is a whole chain by itself.
    with audit_trigger_disabled():
        AuditEntry.objects.filter(pk__gte=entries[2].pk)._raw_delete(AuditEntry.objects.db)
    assert list(audit.verify_chain(heads=[])) == []
    problems = list(audit.verify_chain())
    assert [(problem.entry_id, problem.kind) for problem in problems] == [
        (entries[-1].pk, "truncated")
    ]
    assert f"{count} entries then, {count - 2} now" in problems[0].problem
    with pytest.raises(CommandError):
        call_command("verify_audit_chain")
    # The head as the log shows it works as well, without the file.
    settings.AUDIT_HEAD_FILE.unlink()
    with pytest.raises(CommandError):
        call_command("verify_audit_chain", head=[f"{entries[-1].pk},{count},{grouped}"])


def test_an_edited_head_file_is_reported(settings, regisseur, case):
    audit.record(action="case.read", user=regisseur, obj=case)
    audit.head_export()
    line = json.loads(settings.AUDIT_HEAD_FILE.read_text())
    line["count"] -= 1  # to hide a removal
    settings.AUDIT_HEAD_FILE.write_text(json.dumps(line) + "\n")
    assert [problem.kind for problem in audit.verify_chain()] == ["head_file"]


def test_the_key_lives_outside_the_database_and_production_needs_it(settings, monkeypatch):
    import runpy

    from django.core.exceptions import ImproperlyConfigured

    from tests.portal.conftest import BASE_SETTINGS, PRODUCTION_ENV

    # The demo and the tests derive their own, like the other keys.
    assert settings.AUDIT_CHAIN_KEY and settings.AUDIT_CHAIN_KEY != settings.SECRET_KEY
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AUDIT_CHAIN_KEY")
    with pytest.raises(ImproperlyConfigured, match="AUDIT_CHAIN_KEY"):
        runpy.run_path(str(BASE_SETTINGS))


def test_the_head_export_runs_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["casework-audit-chain-head"]
    assert entry["task"] == "casework.tasks.export_audit_chain_head"
    assert entry["schedule"].hour == set(range(24))


def test_the_privacy_officer_sees_the_id_time_and_action_of_the_break(
    client, privacy_officer, regisseur, case
):
    entries = [audit.record(action="case.read", user=regisseur, obj=case) for _ in range(3)]
    unkeyed_rechain(entries[1].pk, result="denied")
    client.force_login(privacy_officer)
    page = client.post(reverse("casework:audit_verify"), follow=True).content.decode()
    assert f"Eerst bij regel {entries[1].pk} (" in page
    assert "case.read" in page
    assert "opnieuw gehasht zonder de sleutel" in page


# --- Every refused login is audited, once -------------------------------------------


def refused_logins(user):
    return AuditEntry.objects.filter(
        action__in=["login.failed", "login.locked"], object_id=str(user.pk), result="denied"
    )


def test_nine_wrong_passwords_give_nine_audit_entries(client, partner):
    for _ in range(9):
        response = client.post(LOGIN, {"login": partner.email, "password": "fout-wachtwoord"})
        assert response.status_code == 200
    actions = list(refused_logins(partner).order_by("pk").values_list("action", flat=True))
    # Five wrong passwords, then four attempts refused by the lock before any check.
    assert actions == ["login.failed"] * 5 + ["login.locked"] * 4
    assert "fout-wachtwoord" not in str(list(AuditEntry.objects.values()))


def test_an_unknown_address_is_audited_without_the_address(client):
    client.post(LOGIN, {"login": "niemand@example.org", "password": "fout-wachtwoord"})
    entry = AuditEntry.objects.get(action="login.failed")
    assert (entry.purpose, entry.object_id, entry.result) == ("unknown address", "", "denied")
    assert "niemand" not in str(list(AuditEntry.objects.values()))


def test_wrong_codes_and_the_locked_code_step_are_each_audited_once(client, partner):
    client.post(LOGIN, {"login": partner.email, "password": PASSWORD})
    for _ in range(5):
        client.post(SECOND_STEP, {"code": "000000"})
    client.post(SECOND_STEP, {"code": totp_code(partner)})  # right, but locked
    actions = list(
        AuditEntry.objects.filter(actor_pk=partner.pk, result="denied")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["login.mfa_failed"] * 5 + ["login.mfa_locked"]


# --- A stranger cannot keep the owner out for long ----------------------------------


def sign_in(client, user, address, *, password=PASSWORD):
    headers = {"x-forwarded-for": address}
    response = client.post(LOGIN, {"login": user.email, "password": password}, headers=headers)
    if response.status_code != 302 or response.url != SECOND_STEP:
        return response
    return client.post(SECOND_STEP, {"code": totp_code(user)}, headers=headers)


def signed_in(response) -> bool:
    return response.status_code == 302 and response.url != SECOND_STEP


def test_a_strangers_failures_from_one_address_do_not_lock_the_owner_out(client, partner, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for _ in range(9):
        sign_in(Client(), partner, "203.0.113.7", password="fout-wachtwoord")
    # The owner, at another address and on a browser never used before, gets in at once.
    assert signed_in(sign_in(client, partner, "198.51.100.9"))
    assert refused_logins(partner).count() == 9


def test_guessing_from_many_addresses_locks_new_browsers_briefly_but_not_the_owners(
    client, partner, organisation, settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    case = CaseFactory(organisation=organisation)
    with time_machine.travel(timezone.now(), tick=True) as traveller:
        # The owner signed in on this browser before.
        assert signed_in(sign_in(client, partner, "198.51.100.9"))
        assert settings.LOGIN_DEVICE_COOKIE in client.cookies
        client.post(reverse("account_logout"))

        for number in range(12):  # a botnet: a few guesses from each address
            sign_in(Client(), partner, f"203.0.113.{number}", password="fout-wachtwoord")
        lock = settings.LOGIN_ACCOUNT_LOCK
        new_browser = Client()
        refused = sign_in(new_browser, partner, "192.0.2.1")
        assert "Te veel inlogpogingen" in refused.content.decode()

        traveller.shift(timedelta(seconds=31))  # a fresh TOTP code for the owner
        assert signed_in(sign_in(client, partner, "198.51.100.10"))
        detail = reverse("casework:case_detail", args=[case.public_id])
        assert client.get(detail).status_code == 200

        # The lock is short: never longer than max_lock, however long the guessing.
        traveller.shift(timedelta(seconds=lock["max_lock"]))
        assert signed_in(sign_in(new_browser, partner, "192.0.2.1"))
    assert AuditEntry.objects.filter(action="login.locked", object_id=str(partner.pk)).exists()
