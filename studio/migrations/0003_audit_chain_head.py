from django.db import migrations


def create_chain_head(apps, schema_editor):
    # The head row exists before the first event, so two first writers cannot both create it.
    apps.get_model("studio", "AuditChainHead").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("studio", "0002_output_poster")]

    operations = [migrations.RunPython(create_chain_head, migrations.RunPython.noop)]
