"""The catalogue's models, moved here from orders and bookings: state only, the tables stay
where they are (their old names are each model's db_table)."""

import django.db.models.deletion
from django.db import migrations, models


MOVED = {
    "product": "orders",
    "productvariant": "orders",
    "pujaservice": "bookings",
    "pujapackage": "bookings",
    "bookingslot": "bookings",
}


def content_types_follow(apps, schema_editor):
    """Staff permissions and admin history name a model by its content type: relabel the
    moved models' rows so both follow them (a fresh database has none yet)."""
    content_types = apps.get_model("contenttypes", "ContentType").objects
    for model, old_app in MOVED.items():
        content_types.filter(app_label=old_app, model=model).update(app_label="catalog")


def content_types_go_back(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType").objects
    for model, old_app in MOVED.items():
        content_types.filter(app_label="catalog", model=model).update(app_label=old_app)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('bookings', '0004_slot_capacity'),
        ('orders', '0004_sent_claims'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Product',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200)),
                        ('description', models.TextField(blank=True)),
                        ('price', models.DecimalField(decimal_places=2, help_text='Display price; variants carry their own.', max_digits=10)),
                        ('is_active', models.BooleanField(default=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'db_table': 'orders_product',
                        'ordering': ['id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('price__gte', 0)), name='product_price_gte_0')],
                    },
                ),
                migrations.CreateModel(
                    name='PujaService',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200)),
                        ('description', models.TextField(blank=True)),
                        ('is_active', models.BooleanField(default=True)),
                        ('slot_capacity', models.PositiveIntegerField(default=1)),
                    ],
                    options={
                        'db_table': 'bookings_pujaservice',
                        'ordering': ['id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('slot_capacity__gte', 1)), name='service_capacity_gte_1')],
                    },
                ),
                migrations.CreateModel(
                    name='ProductVariant',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100)),
                        ('sku', models.CharField(max_length=64, unique=True)),
                        ('price', models.DecimalField(decimal_places=2, max_digits=10)),
                        ('stock', models.PositiveIntegerField(default=0)),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='variants', to='catalog.product')),
                    ],
                    options={
                        'db_table': 'orders_productvariant',
                        'ordering': ['id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('stock__gte', 0)), name='variant_stock_gte_0'), models.CheckConstraint(condition=models.Q(('price__gte', 0)), name='variant_price_gte_0')],
                    },
                ),
                migrations.CreateModel(
                    name='PujaPackage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100)),
                        ('price', models.DecimalField(decimal_places=2, max_digits=10)),
                        ('duration_minutes', models.PositiveIntegerField()),
                        ('service', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='packages', to='catalog.pujaservice')),
                    ],
                    options={
                        'db_table': 'bookings_pujapackage',
                        'ordering': ['id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('price__gt', 0)), name='package_price_gt_0'), models.CheckConstraint(condition=models.Q(('duration_minutes__gt', 0)), name='package_duration_gt_0')],
                    },
                ),
                migrations.CreateModel(
                    name='BookingSlot',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('selected_date', models.DateField()),
                        ('selected_time', models.TimeField()),
                        ('puja_service', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='slots', to='catalog.pujaservice')),
                    ],
                    options={
                        'db_table': 'bookings_bookingslot',
                        'constraints': [models.UniqueConstraint(fields=('puja_service', 'selected_date', 'selected_time'), name='slot_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_follow, content_types_go_back),
    ]
