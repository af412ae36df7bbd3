"""The production stack: docker-compose.yml, Dockerfile and .env.example.

There is no container engine on the test machines, so the files are checked
as data: valid YAML with the services, health checks and start-up order the
stack needs, and an environment that portal/settings/base.py actually reads.
"""

import ast
import re
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet

from tests.portal.conftest import PRODUCTION_KEY_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
PORTAL_SERVICES = ("migrate", "web", "worker", "beat")
LONG_RUNNING = (
    "web",
    "worker",
    "beat",
    "proxy",
    "postgres",
    "redis",
    "elasticsearch",
    "mailpit",
    "clamav",
)
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip().strip('"')
    return values


def names_read_by_settings() -> set[str]:
    """Environment variable names portal/settings/base.py reads (env*(), os.environ.get())."""
    tree = ast.parse((ROOT / "portal" / "settings" / "base.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        is_env = isinstance(func, ast.Name) and func.id in {
            "env",
            "env_bool",
            "env_list",
            "env_int",
        }
        is_environ = isinstance(func, ast.Attribute) and ast.unparse(func) == "os.environ.get"
        first = node.args[0]
        if (is_env or is_environ) and isinstance(first, ast.Constant):
            names.add(first.value)
    return names


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?error}; $$ is a literal $."""

    def replace(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if variables.get(name):
            return variables[name]
        if op and op.endswith("?"):
            raise LookupError(f"{name} is required: {arg}")
        return arg or ""

    return INTERPOLATION.sub(replace, value).replace("$$", "$")


def test_the_compose_file_has_every_service_of_the_stack(compose):
    assert set(compose["services"]) == {"migrate", *LONG_RUNNING}
    for name in PORTAL_SERVICES:
        assert compose["services"][name]["image"].startswith("zvh-portal:")
        assert compose["services"][name]["build"] == "."
    assert compose["services"]["postgres"]["image"] == "postgres:16"
    assert compose["services"]["redis"]["image"] == "redis:7"
    assert (
        compose["services"]["elasticsearch"]["image"]
        .rsplit("/", 1)[-1]
        .startswith("elasticsearch:8.19.")
    )
    assert compose["services"]["mailpit"]["image"].startswith("axllent/mailpit")


def test_third_party_images_are_pinned_to_a_version_not_a_moving_tag(compose):
    for name, service in compose["services"].items():
        if name in PORTAL_SERVICES:
            continue
        repository, _, tag = service["image"].rpartition(":")
        assert repository and tag, name
        assert tag not in {"latest", "stable", "edge"}, name
        assert tag.lstrip("v")[:1].isdigit(), name


@pytest.mark.parametrize("service", LONG_RUNNING)
def test_every_long_running_service_has_a_health_check(compose, service):
    healthcheck = compose["services"][service]["healthcheck"]

    assert healthcheck["test"][0] in {"CMD", "CMD-SHELL"}
    assert {"interval", "timeout", "retries"} <= set(healthcheck)


def test_the_portal_starts_only_after_migrations_and_healthy_backing_services(compose):
    services = compose["services"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("web", "worker", "beat"):
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"] == {"condition": "service_completed_successfully"}
        for backing in ("postgres", "redis", "elasticsearch", "mailpit"):
            assert depends_on[backing] == {"condition": "service_healthy"}
    assert services["proxy"]["depends_on"] == {"web": {"condition": "service_healthy"}}


def test_the_roles_run_gunicorn_celery_worker_and_celery_beat(compose):
    services = compose["services"]
    assert services["web"]["command"][:2] == ["gunicorn", "portal.wsgi:application"]
    assert services["worker"]["command"][:3] == ["celery", "--app=portal", "worker"]
    assert services["beat"]["command"][:3] == ["celery", "--app=portal", "beat"]
    assert "health" in str(services["web"]["healthcheck"]["test"])


def test_elasticsearch_runs_as_a_single_node_with_locked_memory(compose):
    elasticsearch = compose["services"]["elasticsearch"]
    environment = elasticsearch["environment"]

    assert environment["discovery.type"] == "single-node"
    assert environment["ES_JAVA_OPTS"] == "-Xms1g -Xmx1g"
    assert environment["bootstrap.memory_lock"] == "true"
    assert environment["xpack.security.enabled"] == "false"
    assert elasticsearch["ulimits"]["memlock"] == {"soft": -1, "hard": -1}
    # Security is off only because nothing outside the stack can reach it.
    assert "ports" not in elasticsearch


def test_only_the_proxy_and_the_mail_catcher_publish_ports(compose):
    published = {name for name, service in compose["services"].items() if "ports" in service}

    assert published == {"proxy", "mailpit"}
    assert compose["services"]["mailpit"]["ports"][0].startswith("127.0.0.1:")


def test_the_portal_gets_only_variables_that_the_settings_read(compose):
    read = names_read_by_settings()
    for name in PORTAL_SERVICES:
        passed = set(compose["services"][name]["environment"])
        assert passed - read == set(), name
    assert compose["services"]["web"]["environment"]["PORTAL_ENV"] == "production"


def test_the_portal_gets_every_setting_an_operator_may_need(compose):
    passed = set(compose["services"]["web"]["environment"])
    # Demo-only or local-development switches are deliberately not passed.
    not_for_production = {"DJANGO_DEBUG", "MEDIA_ROOT", "PORTAL_VAR_DIR", "PORT"}

    assert names_read_by_settings() - not_for_production - passed == set()


def test_every_variable_the_compose_file_uses_is_in_the_env_example(compose, env_example):
    text = (ROOT / "docker-compose.yml").read_text()
    used = {match["name"] for match in INTERPOLATION.finditer(text)}

    assert used - set(env_example) == set()
    required = {m["name"] for m in INTERPOLATION.finditer(text) if (m["op"] or "").endswith("?")}
    assert required == {
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "BASE_URL",
        "POSTGRES_PASSWORD",
        *PRODUCTION_KEY_VARIABLES,
    }


def test_the_stack_refuses_to_start_without_its_secrets(compose, env_example):
    environment = compose["services"]["web"]["environment"]
    without_secret = {**env_example, "SECRET_KEY": ""}

    with pytest.raises(LookupError, match="SECRET_KEY"):
        interpolate(environment["SECRET_KEY"], without_secret)


def test_the_settings_load_in_production_mode_from_the_compose_environment(
    compose, env_example, load_settings
):
    filled = {
        **env_example,
        "SECRET_KEY": "s" * 50,
        "POSTGRES_PASSWORD": "pg-secret",
        **{name: Fernet.generate_key().decode() for name in PRODUCTION_KEY_VARIABLES},
    }
    environment = {
        name: interpolate(str(value), filled)
        for name, value in compose["services"]["web"]["environment"].items()
    }

    settings = load_settings(**environment)

    assert settings["DEMO"] is False
    assert settings["DEBUG"] is False
    assert settings["DATABASES"]["default"]["HOST"] == "postgres"
    assert settings["DATABASES"]["default"]["PASSWORD"] == "pg-secret"
    assert settings["CACHES"]["default"]["LOCATION"] == "redis://redis:6379/0"
    assert settings["CELERY_BROKER_URL"] == "redis://redis:6379/1"
    assert settings["CELERY_TASK_ALWAYS_EAGER"] is False
    assert settings["SEARCH_BACKEND_NAME"] == "elasticsearch"
    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (settings["EMAIL_HOST"], settings["EMAIL_PORT"]) == ("mailpit", 1025)
    assert settings["ALLOWED_HOSTS"] == ["portal.zvh-bzo.example"]
    assert settings["SECURE_SSL_REDIRECT"] is True


def test_the_nginx_site_serves_media_and_proxies_the_rest_to_web(compose):
    site = compose["configs"]["nginx-site"]["content"]

    assert "alias /srv/media/;" in site
    # gunicorn logs requests, scrubbed; nginx's lines would carry IPs and query strings.
    assert "access_log off;" in site
    assert "proxy_pass http://web:8000;" in site
    # $$ is compose's escape: nginx must see its own $host.
    assert interpolate(site, {}).count("$host") == 1


def test_the_image_is_slim_hash_locked_and_runs_gunicorn_as_a_non_root_user():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert dockerfile.startswith("#") and "FROM python:3.11-slim\n" in dockerfile
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile
    assert "manage.py collectstatic --noinput" in dockerfile
    users = re.findall(r"^USER (\S+)$", dockerfile, flags=re.MULTILINE)
    assert users == ["portal"]
    assert re.search(r'^CMD \["gunicorn", "portal.wsgi:application"', dockerfile, re.MULTILINE)


def test_secrets_and_local_state_stay_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().splitlines()

    for entry in (".git", ".venv", "node_modules", "var", ".env", "!.env.example"):
        assert entry in ignored


def test_the_portal_user_can_write_only_its_var_directory():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "COPY . .\n" in dockerfile
    assert "--chown" not in dockerfile
    assert "chown -R portal:portal var" in dockerfile


def test_gunicorn_logs_through_the_scrubbing_json_logger(compose):
    from portal.logging import GUNICORN_ACCESS_FORMAT

    command = compose["services"]["web"]["command"]
    dockerfile = (ROOT / "Dockerfile").read_text()

    for expected in (
        "--logger-class=portal.logging.GunicornLogger",
        "--access-logfile=-",
        f"--access-logformat={GUNICORN_ACCESS_FORMAT}",
    ):
        assert expected in command
        assert f'"{expected}"' in dockerfile
