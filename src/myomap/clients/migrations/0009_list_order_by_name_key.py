"""The client list in the order of its search key (family name, then given name, whatever
the accents or capitals: Łukasik among the L's, Ó Briain among the O's) instead of the
names' bytes, which put every name starting with an accented capital after Z. The keys
now also write the letters Unicode does not decompose as their base letters (Ł as l,
Ø as o), so "luk" finds Łukasik; they are filled again here. One index serves the list's
order, its count and the search by family name first."""

import re
import unicodedata
from typing import Any

from django.conf import settings
from django.db import migrations, models

# A copy of clients.models.name_key as it was when this migration was written: a
# migration never imports app code, which may change after it.
_NOT_WORD = re.compile(r"[\W_]+")
KEY_LENGTH = 210
BASE_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "\u0131": "i", "ŀ": "l", "ŧ": "t", "æ": "ae",
     "œ": "oe", "þ": "th", "ð": "d", "ĸ": "k", "ŋ": "n"}
)  # fmt: skip


def name_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.split(plain.translate(BASE_LETTERS))).strip()[:KEY_LENGTH]


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
        ("accounts", "0004_clinic_two_factor_required"),
        ("clients", "0008_name_search_keys_and_list_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="client",
            options={"ordering": ["family_key", "id"]},
        ),
        migrations.RemoveIndex(model_name="client", name="client_list_order"),
        migrations.RemoveIndex(model_name="client", name="client_family_key"),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(fields=["clinic", "family_key", "id"], name="client_list_order"),
        ),
    ]
