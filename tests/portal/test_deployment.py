"""The production stack: docker-compose.yml, Dockerfile and .env.example.

There is no container engine on the test machines, so the files are checked
as data: valid YAML with the services, health checks and start-up order the
stack needs, and an environment that portal/settings/base.py actually reads.
"""

import ast
import re
import runpy
import subprocess
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet

from tests.portal.conftest import PRODUCTION_KEY_VARIABLES
from tests.stack.runner import NGINX_TEMPLATE, nginx_binary, render_template

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


def test_the_portal_waits_only_for_migrations_and_what_it_cannot_run_without(compose):
    """clamd (minutes to its first healthy check), Elasticsearch and the mail catcher are
    not waited for: an outage of one would keep the whole portal from starting."""
    services = compose["services"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"},
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }
    assert services["proxy"]["depends_on"] == {"web": {"condition": "service_healthy"}}


def test_the_mail_catcher_and_elasticsearch_run_only_when_asked_for(compose):
    services = compose["services"]
    environment = services["web"]["environment"]

    assert services["mailpit"]["profiles"] == ["mailcatcher"]
    assert services["elasticsearch"]["profiles"] == ["elasticsearch"]
    # The scanner is part of every stack: uploads are refused without it.
    assert "profiles" not in services["clamav"]
    assert interpolate(environment["SEARCH_BACKEND"], {}) == "database"
    assert interpolate(environment["ELASTICSEARCH_URL"], {}) == ""
    assert interpolate(environment["EMAIL_HOST"], {}) == ""


def test_the_roles_run_gunicorn_celery_worker_and_celery_beat(compose):
    services = compose["services"]
    assert services["web"]["command"][0] == "gunicorn"
    assert services["web"]["command"][-1] == "portal.wsgi:application"
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
        "EMAIL_PROVIDER",
        "LB_ADDRESS",
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
        "EMAIL_PROVIDER": "smtp",
        "EMAIL_HOST": "relay.zvh-bzo.example",
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
    assert settings["SEARCH_BACKEND"] == "database"
    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (settings["EMAIL_HOST"], settings["EMAIL_PORT"]) == ("relay.zvh-bzo.example", 25)
    assert settings["ALLAUTH_TRUSTED_PROXY_COUNT"] == 1
    assert settings["ALLOWED_HOSTS"] == ["portal.zvh-bzo.example"]
    assert settings["SECURE_SSL_REDIRECT"] is True


def test_the_proxy_renders_the_repositorys_nginx_site_template(compose):
    """One site config for compose and `make stack`: the nginx image renders
    /etc/nginx/templates/*.template with envsubst (only PORTAL_* names)."""
    proxy = compose["services"]["proxy"]
    template = NGINX_TEMPLATE.read_text()
    placeholders = set(re.findall(r"\$\{(PORTAL_[A-Z_]+)\}", template))

    assert (
        "./portal/deploy/nginx/portal.conf.template:/etc/nginx/templates/default.conf.template:ro"
        in proxy["volumes"]
    )
    assert proxy["environment"]["NGINX_ENVSUBST_FILTER"] == "^PORTAL_"
    assert placeholders == {name for name in proxy["environment"] if name.startswith("PORTAL_")}
    # envsubst would also replace $PORTAL_X without braces; the runner only ${...}.
    assert not re.search(r"\$PORTAL_", template)
    assert "configs" not in compose


def test_the_compose_rendering_of_the_nginx_site_is_accepted_by_nginx(compose, tmp_path):
    environment = {
        name: interpolate(str(value), {"LB_ADDRESS": "10.0.0.10"})
        for name, value in compose["services"]["proxy"]["environment"].items()
    }
    site = render_template(NGINX_TEMPLATE.read_text(), environment)
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nevents {{}}\n"
        f"http {{ include /etc/nginx/mime.types; include {tmp_path / 'site.conf'}; }}\n"
    )

    result = subprocess.run(
        [
            nginx_binary(),
            "-t",
            "-p",
            str(tmp_path),
            "-c",
            str(tmp_path / "nginx.conf"),
            "-e",
            str(tmp_path / "error.log"),
        ],
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr
    # gunicorn's address is a variable: re-resolved through Docker's DNS, not once at start.
    assert "set $portal_web web:8000;" in site
    assert "resolver 127.0.0.11 valid=10s" in site
    assert "proxy_pass http://$portal_web;" in site


def test_the_nginx_site_trusts_forwarded_headers_only_from_the_load_balancer():
    template = NGINX_TEMPLATE.read_text()

    assert "set_real_ip_from ${PORTAL_LB_ADDRESS};" in template
    assert "real_ip_recursive off;" in template
    # To gunicorn: one address (TRUSTED_PROXY_COUNT=1) and a scheme nginx decided.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in template
    assert "proxy_set_header X-Forwarded-Proto $portal_scheme;" in template
    assert "$http_x_forwarded_proto;" not in template
    assert "$proxy_add_x_forwarded_for" not in template
    # gunicorn logs requests, scrubbed; nginx's lines would carry IPs and query strings.
    assert "access_log off;" in template


def test_the_nginx_site_serves_no_uploaded_file_but_image_renditions():
    template = NGINX_TEMPLATE.read_text()
    media = re.findall(r"location\s+(/media/\S*)\s*\{\s*([^\n]*)", template)

    # Everything under /media/ is refused, but for the renditions' own location ...
    assert media == [
        ("/media/", "return 404;"),
        ("/media/images/", "alias ${PORTAL_MEDIA_ROOT}/images/;"),
    ]
    # ... the one place a file is read from disk.
    assert template.count("alias ") == 1


def test_the_image_is_slim_hash_locked_and_runs_gunicorn_as_a_non_root_user():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert dockerfile.startswith("#") and "FROM python:3.11-slim\n" in dockerfile
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile
    assert "manage.py collectstatic --noinput" in dockerfile
    users = re.findall(r"^USER (\S+)$", dockerfile, flags=re.MULTILINE)
    assert users == ["portal"]
    assert re.search(
        r'^CMD \["gunicorn", "--config=portal/deploy/gunicorn.conf.py", "portal.wsgi:application"\]',
        dockerfile,
        re.MULTILINE,
    )


def test_secrets_and_local_state_stay_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().splitlines()

    for entry in (".git", ".venv", "node_modules", "var", ".env", "!.env.example"):
        assert entry in ignored


def test_the_portal_user_can_write_only_its_var_directory():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "COPY . .\n" in dockerfile
    assert "--chown" not in dockerfile
    assert "chown -R portal:portal var" in dockerfile


def test_every_volume_of_the_portal_is_created_in_the_image_and_owned_by_its_user(compose):
    """A new named volume copies its owner from the image's directory: one missing there
    is created root-owned, and the portal user cannot write to it (attachment uploads
    failed so)."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    created = re.search(r"mkdir -p ([^\\&\n]+)", dockerfile).group(1).split()
    mounted = [volume.split(":")[1] for volume in compose["services"]["web"]["volumes"]]

    assert mounted
    for target in mounted:
        assert target.removeprefix("/app/") in created, target
    assert dockerfile.index("mkdir -p") < dockerfile.index("chown -R portal:portal var")
    assert dockerfile.index("chown -R portal:portal var") < dockerfile.index("USER portal")


def test_gunicorn_logs_through_the_scrubbing_json_logger(compose):
    from portal.logging import GUNICORN_ACCESS_FORMAT

    config = runpy.run_path(str(ROOT / "portal" / "deploy" / "gunicorn.conf.py"))
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert config["logger_class"] == "portal.logging.GunicornLogger"
    assert config["accesslog"] == "-"
    assert config["access_log_format"] == GUNICORN_ACCESS_FORMAT
    # One file for the image, compose and `make stack` (tests/stack/runner.py).
    assert "--config=portal/deploy/gunicorn.conf.py" in compose["services"]["web"]["command"]
    assert '"--config=portal/deploy/gunicorn.conf.py"' in dockerfile
