"""dispute_status is read from the dispute, no longer copied: the column stays (renamed in
the model's state only) one release, so a rolled-back image still finds it; the next
release drops it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [('orders', '0006_disputes')]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="order", name="dispute_status"),
                migrations.AddField(
                    model_name="order",
                    name="dispute_status_copied",
                    field=models.CharField(
                        blank=True,
                        db_column="dispute_status",
                        editable=False,
                        max_length=16,
                        null=True,
                    ),
                ),
            ],
            database_operations=[],
        )
    ]
