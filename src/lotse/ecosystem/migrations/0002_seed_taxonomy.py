import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "taxonomy.json"


def seed(apps, schema_editor):
    Term = apps.get_model("ecosystem", "Term")
    for item in json.loads(DATA.read_text(encoding="utf-8"))["terms"]:
        Term.objects.update_or_create(
            vocabulary=item["vocabulary"],
            slug=item["slug"],
            defaults={
                "name": item["name"],
                "name_en": item["name_en"],
                "position": item["position"],
                "source": item["source"],
                "status": "approved",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("ecosystem", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
