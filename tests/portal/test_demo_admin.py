"""`make demo` creates an administrator who can pass the admins' second-factor rule."""

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_var(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def run(command: str) -> str:
    out = StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def test_the_demo_admin_gets_a_password_and_a_totp_second_factor(demo_var):
    output = run("ensure_demo_admin")

    admin = get_user_model().objects.get(username="admin")
    password = (demo_var / "demo-admin-password.txt").read_text()
    assert admin.is_superuser and admin.check_password(password)
    assert password in output
    assert Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).count() == 1
    assert "demo_totp_code" in output


def test_running_it_twice_keeps_the_same_credentials(demo_var):
    first = run("ensure_demo_admin")
    second = run("ensure_demo_admin")

    assert first == second
    assert get_user_model().objects.filter(username="admin").count() == 1


def test_the_printed_code_is_accepted_by_allauth(demo_var):
    run("ensure_demo_admin")
    admin = get_user_model().objects.get(username="admin")

    code = run("demo_totp_code").split()[0]

    authenticator = Authenticator.objects.get(user=admin, type=Authenticator.Type.TOTP)
    assert TOTP(authenticator).validate_code(code)


def test_the_demo_commands_refuse_to_run_outside_the_demo(demo_var, settings):
    settings.DEMO = False

    with pytest.raises(CommandError):
        run("ensure_demo_admin")
    with pytest.raises(CommandError):
        run("demo_totp_code")
