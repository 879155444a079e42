import django.db.models.deletion
from django.db import migrations, models


def subscriptions_from_event_types(apps, schema_editor):
    """Each endpoint's space-separated event types as one subscription each."""
    Endpoint = apps.get_model("outbound", "Endpoint")
    Subscription = apps.get_model("outbound", "Subscription")
    Subscription.objects.bulk_create(
        Subscription(endpoint_id=endpoint.pk, event_type=name)
        for endpoint in Endpoint.objects.exclude(event_types="")
        for name in sorted(set(endpoint.event_types.split()))
    )


class Migration(migrations.Migration):
    dependencies = [("outbound", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="event",
            name="version",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.CreateModel(
            name="Subscription",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("event_type", models.CharField(max_length=50)),
                (
                    "endpoint",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="subscriptions",
                        to="outbound.endpoint",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("event_type", "endpoint"), name="subscription_once_per_endpoint"
                    )
                ],
            },
        ),
        migrations.RunPython(subscriptions_from_event_types, migrations.RunPython.noop),
    ]
