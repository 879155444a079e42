"""An issued document never changes: the database refuses to UPDATE or DELETE a document
or one of its lines, whoever asks (admin, a shell, a bug)."""

from django.db import migrations

TABLES = ("invoices_taxdocument", "invoices_taxdocumentline")
REFUSAL = "an issued tax document never changes: issue a credit note instead"


def forbid(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION invoices_refuse_change() RETURNS trigger AS $$ BEGIN "
            f"RAISE EXCEPTION '{REFUSAL}'; END $$ LANGUAGE plpgsql"
        )
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_never_changes BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION invoices_refuse_change()"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            for action in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_never_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
                )


def allow(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER {table}_never_changes ON {table}")
        elif vendor == "sqlite":
            for action in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER {table}_never_{action}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION invoices_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("invoices", "0001_initial")]

    operations = [migrations.RunPython(forbid, allow)]
