"""gunicorn's settings for the portal: the one source for the image (Dockerfile CMD),
docker-compose.yml's web service and `make stack` (tests/stack/runner.py).

Per-deployment values come from the command line (``--bind``, ``--workers``), which
overrides this file. docs/deployment.md, "The stack".
"""

bind = "0.0.0.0:8000"
workers = 3
worker_class = "sync"
timeout = 30
graceful_timeout = 20
# gunicorn is reachable only from nginx (no published port; nginx overwrites the
# X-Forwarded-* headers), and nginx's address in the stack is not fixed. Django decides
# HTTPS from X-Forwarded-Proto itself (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = "*"
# JSON, scrubbed logs; the access line has no IP address or query string.
logger_class = "portal.logging.GunicornLogger"
accesslog = "-"
access_log_format = "%(m)s %(U)s %(s)s %(B)s %(M)sms"


def post_worker_init(worker):
    # The Dutch word list behind typo correction and decompounding takes seconds to
    # load; load it before the worker accepts a request (docs/search.md).
    from search.services import search_warm_up

    search_warm_up()
