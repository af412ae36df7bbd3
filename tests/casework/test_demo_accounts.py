"""`make demo` gives one account per role, demo cases in every status, and a clear
page for an administrator without a casework role."""

import json
import stat
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from casework import demo_accounts, demo_cases, roles
from casework.models import (
    Attachment,
    Case,
    CaseEvaluation,
    FollowUpTask,
    SurveyInvitation,
    SurveyResponse,
    TimelineEntry,
)

pytestmark = pytest.mark.django_db

ROLE_GROUPS = {
    "procesregisseur": roles.PROCESREGISSEUR,
    "manager": roles.MANAGER,
    "functioneel-beheer": roles.FUNCTIONEEL_BEHEER,
    "privacy-officer": roles.PRIVACY_OFFICER,
    "redacteur": ["Editors", "Moderators"],
}


@pytest.fixture
def demo_var(settings, tmp_path, demo_site):
    settings.DEMO = True
    settings.VAR_DIR = tmp_path
    settings.CASEWORK_ATTACHMENT_ROOT = tmp_path / "casework-private"
    return tmp_path


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def stored(demo_var) -> list[dict]:
    return json.loads((demo_var / "demo-accounts.json").read_text())


def user(key):
    return get_user_model().objects.get(email=demo_accounts.BY_KEY[key].email)


def test_there_is_one_named_account_per_role_with_a_verified_address_and_a_second_factor(
    demo_var,
):
    output = run("ensure_demo_accounts", "--no-cases")

    entries = stored(demo_var)
    assert [row["key"] for row in entries] == [account.key for account in demo_accounts.ACCOUNTS]
    for row in entries:
        account = get_user_model().objects.get(email=row["email"])
        assert account.first_name and account.last_name
        assert account.get_full_name() == row["name"]
        assert account.check_password(row["password"])
        assert EmailAddress.objects.filter(user=account, email=row["email"], verified=True).exists()
        assert Authenticator.objects.filter(user=account, type=Authenticator.Type.TOTP).count() == 1
        assert row["email"] in output and row["password"] in output and row["role"] in output
    for key, groups in ROLE_GROUPS.items():
        expected = groups if isinstance(groups, list) else [groups]
        assert sorted(user(key).groups.values_list("name", flat=True)) == sorted(expected)
    first, second = user("partner-1"), user("partner-2")
    assert first.casework_membership.organisation != second.casework_membership.organisation
    assert not first.groups.exists() and not second.groups.exists()
    admin = user(demo_accounts.ADMIN_KEY)
    assert admin.username == "admin" and admin.is_superuser and not admin.groups.exists()


def test_the_credentials_file_is_private_and_names_role_and_organisation(demo_var):
    run("ensure_demo_accounts", "--no-cases")

    path = demo_var / "demo-accounts.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    partner = next(row for row in stored(demo_var) if row["key"] == "partner-1")
    assert set(partner) >= {"email", "password", "role", "name", "organisation", "totp_secret"}
    assert partner["organisation"] == user("partner-1").casework_membership.organisation.name
    manager = next(row for row in stored(demo_var) if row["key"] == "manager")
    assert manager["organisation"] is None and manager["role"] == "Manager"


def test_running_it_again_keeps_every_password_and_second_factor(demo_var):
    run("ensure_demo_accounts", "--no-cases")
    first = stored(demo_var)

    run("ensure_demo_accounts", "--no-cases")

    assert stored(demo_var) == first
    assert get_user_model().objects.count() == len(demo_accounts.ACCOUNTS)
    assert Authenticator.objects.count() == len(demo_accounts.ACCOUNTS)


def test_the_demo_admin_command_keeps_the_other_accounts(demo_var):
    run("ensure_demo_accounts", "--no-cases")
    before = stored(demo_var)

    run("ensure_demo_admin")

    assert stored(demo_var) == before
    assert (demo_var / "demo-admin-password.txt").read_text() == before[0]["password"]


def test_the_printed_code_of_any_account_is_accepted_by_allauth(demo_var):
    run("ensure_demo_accounts", "--no-cases")

    for key in ("partner-1", "procesregisseur", "redacteur"):
        email = demo_accounts.BY_KEY[key].email
        code, rest = run("demo_totp_code", email).split(maxsplit=1)
        seconds_left = int(rest.split("another ")[1].split()[0])

        assert seconds_left >= 3
        authenticator = Authenticator.objects.get(user=user(key), type=Authenticator.Type.TOTP)
        assert TOTP(authenticator).validate_code(code)


def test_an_unknown_address_gets_no_code(demo_var):
    run("ensure_demo_accounts", "--no-cases")

    with pytest.raises(CommandError, match="not a demo account"):
        run("demo_totp_code", "iemand@example.org")


def test_the_demo_commands_refuse_to_run_outside_the_demo(demo_var, settings):
    settings.DEMO = False

    with pytest.raises(CommandError):
        run("ensure_demo_accounts")
    with pytest.raises(CommandError):
        run("demo_totp_code", demo_accounts.BY_KEY["manager"].email)


def test_demo_cases_cover_every_status_of_every_kind_and_every_screen_has_data(
    demo_var, mailoutbox
):
    run("ensure_demo_accounts")

    seen = set(Case.objects.values_list("kind", "status"))
    assert set(demo_cases.every_demo_pair()) <= seen
    # One case per pair, plus the case in procesregie with structured meetings and plan.
    assert Case.objects.count() == len(demo_cases.every_demo_pair()) + 1
    regie = Case.objects.get(plans__status="adopted")
    assert regie.meetings.count() == 2 and regie.plans.get().actions.count() == 3
    partners = {user("partner-1").pk, user("partner-2").pk}
    assert set(Case.objects.values_list("registered_by", flat=True)) == partners
    assert set(Case.objects.values_list("procesregisseur", flat=True)) == {
        user("procesregisseur").pk
    }
    assert TimelineEntry.objects.filter(kind=TimelineEntry.Kind.MESSAGE).count() >= 4
    attachment = Attachment.objects.get()
    assert attachment.case is not None and attachment.content_type == "application/pdf"
    closed = Case.objects.filter(status__in=["afgesloten", "overgedragen"])
    assert CaseEvaluation.objects.filter(case__in=closed).count() == closed.count()
    assert SurveyResponse.objects.exists()
    assert FollowUpTask.objects.count() == 1
    waiting = SurveyInvitation.objects.filter(used_at__isnull=True)
    assert [invitation.user for invitation in waiting] == [user("partner-1")]
    assert run("verify_audit_chain").startswith("audit chain intact")
    # The seeding's notifications are not sent: the outbox is the newcomer's.
    assert mailoutbox == []


def test_demo_cases_are_made_once(demo_var):
    run("ensure_demo_accounts")
    count = Case.objects.count()

    output = run("ensure_demo_accounts")

    assert Case.objects.count() == count
    assert "Demo-casussen" not in output


def test_tests_loading_the_demo_content_get_no_cases(demo_site):
    assert not Case.objects.exists()


def test_an_administrator_without_a_role_is_told_where_roles_are_given(admin_client, admin_user):
    response = admin_client.get(reverse("casework:home"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "U heeft nog geen rol in de casuïstiek" in page
    assert reverse("wagtailusers_users:edit", args=[admin_user.pk]) in page
    assert "Er zijn geen casussen" not in page


def test_the_demo_admin_can_save_its_own_account_in_the_wagtail_users_editor(demo_var, client):
    run("ensure_demo_admin")
    admin = user(demo_accounts.ADMIN_KEY)
    client.force_login(admin)

    response = client.post(
        reverse("wagtailusers_users:edit", args=[admin.pk]),
        {
            "username": admin.username,
            "email": admin.email,
            "first_name": admin.first_name,
            "last_name": admin.last_name,
            "password1": "",
            "password2": "",
        },
    )

    assert response.status_code == 302
