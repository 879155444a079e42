"""The catalogue moved to its own app: foreign keys now name it (state only, same tables)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cart', '0003_cart_for_payment_link'),
        ('catalog', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='cart',
                    name='package',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='catalog.pujapackage'),
                ),
                migrations.AlterField(
                    model_name='cart',
                    name='puja_service',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='catalog.pujaservice'),
                ),
                migrations.AlterField(
                    model_name='cartitem',
                    name='variant',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='catalog.productvariant'),
                ),
            ],
            database_operations=[],
        ),
    ]
