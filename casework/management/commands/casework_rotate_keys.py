"""Re-encrypt every casework ciphertext (and MFA secrets) with the first configured key.

Put the new key first in CASEWORK_ENCRYPTION_KEYS / MFA_ENCRYPTION_KEYS, keep the old
ones after it, run this command, then remove the old keys.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet, MultiFernet

from casework.crypto import EncryptedTextField, rotate_token


class Command(BaseCommand):
    help = "Re-encrypt casework data and MFA secrets with the newest key."

    def handle(self, *args, **options):
        total = 0
        with transaction.atomic():
            for model in apps.get_app_config("casework").get_models():
                fields = [f for f in model._meta.fields if isinstance(f, EncryptedTextField)]
                if not fields:
                    continue
                table = connection.ops.quote_name(model._meta.db_table)
                columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT id, {columns} FROM {table}")  # noqa: S608 - names from the model
                    rows = cursor.fetchall()
                    for row in rows:
                        values = [rotate_token(value) if value else value for value in row[1:]]
                        assignments = ", ".join(
                            f"{connection.ops.quote_name(f.column)} = %s" for f in fields
                        )
                        sql = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608
                        cursor.execute(sql, [*values, row[0]])
                        total += 1
            total += self._rotate_mfa()
        self.stdout.write(f"re-encrypted {total} rows")

    def _rotate_mfa(self) -> int:
        from django.conf import settings

        fernet = MultiFernet([Fernet(key.encode()) for key in settings.MFA_ENCRYPTION_KEYS])
        count = 0
        for authenticator in Authenticator.objects.all():
            data = dict(authenticator.data)
            changed = False
            for key in ("secret", "seed"):
                if data.get(key):
                    data[key] = fernet.rotate(data[key].encode()).decode()
                    changed = True
            if changed:
                Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
                count += 1
        return count
