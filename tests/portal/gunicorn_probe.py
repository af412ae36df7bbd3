"""A minimal WSGI app for tests/portal/test_logging.py: gunicorn's own logs, no Django."""


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
