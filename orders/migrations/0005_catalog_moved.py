"""Product and ProductVariant moved to catalog: state only, the tables stay."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cart', '0004_catalog_moved'),
        ('catalog', '0001_initial'),
        ('holds', '0003_catalog_moved'),
        ('orders', '0004_sent_claims'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='productvariant',
                    name='product',
                ),
                migrations.AlterField(
                    model_name='orderitem',
                    name='product',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='catalog.product'),
                ),
                migrations.AlterField(
                    model_name='orderitem',
                    name='variant',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='catalog.productvariant'),
                ),
                migrations.DeleteModel(
                    name='Product',
                ),
                migrations.DeleteModel(
                    name='ProductVariant',
                ),
            ],
            database_operations=[],
        ),
    ]
