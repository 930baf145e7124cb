from django.db import migrations


def forwards(apps, schema_editor):
    from journeys.taxonomy import install_builtin_tags

    install_builtin_tags(apps.get_model("journeys", "FrictionTag"))


class Migration(migrations.Migration):
    dependencies = [("journeys", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
