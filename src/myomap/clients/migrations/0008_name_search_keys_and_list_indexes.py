"""The client list a page at a time and its search by an index: an index in the list's
order (clinic, family name, given name, id), and each name's search keys (accents
stripped, case folded; family name first and given name first), indexed per clinic and
filled here for the clients already recorded."""

import re
import unicodedata
from typing import Any

from django.db import migrations, models

# A copy of clients.models.name_key as it was when this migration was written: a
# migration never imports app code, which may change after it.
_NOT_WORD = re.compile(r"[\W_]+")
KEY_LENGTH = 210


def name_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.split(plain.casefold())).strip()[:KEY_LENGTH]


def fill_keys(apps: Any, schema_editor: Any) -> None:
    Client = apps.get_model("clients", "Client")
    batch = []
    for client in Client.objects.only("given_name", "family_name").iterator(chunk_size=2000):
        client.family_key = name_key(f"{client.family_name} {client.given_name}")
        client.given_key = name_key(f"{client.given_name} {client.family_name}")
        batch.append(client)
        if len(batch) == 2000:
            Client.objects.bulk_update(batch, ["family_key", "given_key"])
            batch = []
    Client.objects.bulk_update(batch, ["family_key", "given_key"])


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0007_idempotency_keys_on_clients_and_intakes'),
    ]

    operations = [
        migrations.AddField(
            model_name='client',
            name='family_key',
            field=models.CharField(blank=True, editable=False, max_length=210),
        ),
        migrations.AddField(
            model_name='client',
            name='given_key',
            field=models.CharField(blank=True, editable=False, max_length=210),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(fields=['clinic', 'family_name', 'given_name', 'id'], name='client_list_order'),
        ),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(fields=['clinic', 'family_key'], name='client_family_key'),
        ),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(fields=['clinic', 'given_key'], name='client_given_key'),
        ),
    ]
