"""A document's PDF kept as first rendered: the database refuses to change one (the
function that refuses is 0002's)."""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "invoices_issuedpdf"
REFUSAL = "a kept tax document PDF never changes"


def forbid(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_never_changes BEFORE UPDATE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION invoices_refuse_change()"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_never_update BEFORE UPDATE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )


def allow(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER {TABLE}_never_changes ON {TABLE}")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER {TABLE}_never_update")


class Migration(migrations.Migration):
    dependencies = [("invoices", "0002_documents_never_change")]

    operations = [
        migrations.CreateModel(
            name="IssuedPdf",
            fields=[
                (
                    "document",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="issued_pdf",
                        serialize=False,
                        to="invoices.taxdocument",
                    ),
                ),
                ("content", models.BinaryField()),
                ("sha256", models.CharField(max_length=64)),
                ("rendered_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.RunPython(forbid, allow),
    ]
