"""The catalogue moved to its own app: foreign keys now name it (state only, same tables)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0001_initial'),
        ('holds', '0002_covering_sum_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='hold',
                    name='slot',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='holds', to='catalog.bookingslot'),
                ),
                migrations.AlterField(
                    model_name='hold',
                    name='variant',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='holds', to='catalog.productvariant'),
                ),
            ],
            database_operations=[],
        ),
    ]
