"""PujaService, PujaPackage and BookingSlot moved to catalog: state only, the tables stay."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('bookings', '0004_slot_capacity'),
        ('cart', '0004_catalog_moved'),
        ('catalog', '0001_initial'),
        ('holds', '0003_catalog_moved'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='pujapackage',
                    name='service',
                ),
                migrations.AlterField(
                    model_name='booking',
                    name='package',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='bookings', to='catalog.pujapackage'),
                ),
                migrations.AlterField(
                    model_name='booking',
                    name='puja_service',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='bookings', to='catalog.pujaservice'),
                ),
                migrations.DeleteModel(
                    name='BookingSlot',
                ),
                migrations.DeleteModel(
                    name='PujaPackage',
                ),
                migrations.DeleteModel(
                    name='PujaService',
                ),
            ],
            database_operations=[],
        ),
    ]
