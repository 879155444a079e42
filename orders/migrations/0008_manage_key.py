"""Every order gets a manage link's key; those made before get theirs here, one by one (a
default would give them all the same). Null stays allowed: the release before this one
still inserts rows without one while both run."""

from django.db import migrations, models

import config.secret_tokens


def give_keys(apps, schema_editor):
    model = apps.get_model("orders", "order")
    for row in model.objects.filter(manage_key__isnull=True).only("pk").iterator():
        model.objects.filter(pk=row.pk).update(manage_key=config.secret_tokens.manage_key_new())


class Migration(migrations.Migration):
    dependencies = [("orders", "0007_dispute_status_read_not_copied")]

    operations = [
        migrations.AddField(
            model_name="order",
            name="manage_key",
            field=models.CharField(editable=False, max_length=32, null=True),
        ),
        migrations.RunPython(give_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="order",
            name="manage_key",
            field=models.CharField(
                default=config.secret_tokens.manage_key_new,
                editable=False,
                max_length=32,
                null=True,
                unique=True,
            ),
        ),
    ]
