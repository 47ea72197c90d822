from django.db import migrations


def seed(apps, schema_editor):
    from lotse.search.text import default_synonym_groups

    synonym = apps.get_model("search", "Synonym")
    for group in default_synonym_groups():
        synonym.objects.get_or_create(
            phrases=" | ".join(group), defaults={"note": "Grundausstattung"}
        )


def unseed(apps, schema_editor):
    apps.get_model("search", "Synonym").objects.filter(note="Grundausstattung").delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext")]

    operations = [migrations.RunPython(seed, unseed)]
