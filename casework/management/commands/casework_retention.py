"""Kept for operators' scripts: the same command as ``manage.py retention_run``, which
applies every app's retention terms, casework's among them
(``portal.retention.retention_run``; beat runs it hourly as ``retention``)."""

from portal.management.commands.retention_run import Command as RetentionRunCommand


class Command(RetentionRunCommand):
    pass
