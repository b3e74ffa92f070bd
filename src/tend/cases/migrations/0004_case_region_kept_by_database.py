"""The customer's territory on each case (``Case.region``), kept by database triggers so every
path that writes a case or a customer's territory keeps it right, and the case load's two
covering indexes. Existing rows are filled from their customers."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
UPDATE cases_case SET region_id = (
    SELECT territory_id FROM customers_customer WHERE customers_customer.id = cases_case.customer_id
)
"""

SQLITE = [
    # A new case takes its customer's territory.
    """
    CREATE TRIGGER cases_case_region_insert AFTER INSERT ON cases_case
    BEGIN
        UPDATE cases_case SET region_id = (
            SELECT territory_id FROM customers_customer WHERE id = NEW.customer_id
        ) WHERE id = NEW.id;
    END
    """,
    # A save that wrote another value (a stale instance, another customer) is put right.
    """
    CREATE TRIGGER cases_case_region_update AFTER UPDATE OF region_id, customer_id ON cases_case
    WHEN NEW.region_id IS NOT (
        SELECT territory_id FROM customers_customer WHERE id = NEW.customer_id
    )
    BEGIN
        UPDATE cases_case SET region_id = (
            SELECT territory_id FROM customers_customer WHERE id = NEW.customer_id
        ) WHERE id = NEW.id;
    END
    """,
    # A customer moved to another territory moves its cases with it.
    """
    CREATE TRIGGER customers_customer_region_to_cases
    AFTER UPDATE OF territory_id ON customers_customer
    WHEN NEW.territory_id IS NOT OLD.territory_id
    BEGIN
        UPDATE cases_case SET region_id = NEW.territory_id WHERE customer_id = NEW.id;
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS cases_case_region_insert",
    "DROP TRIGGER IF EXISTS cases_case_region_update",
    "DROP TRIGGER IF EXISTS customers_customer_region_to_cases",
]

POSTGRES = [
    """
    CREATE FUNCTION cases_case_region_set() RETURNS trigger AS $$
    BEGIN
        NEW.region_id := (
            SELECT territory_id FROM customers_customer WHERE id = NEW.customer_id
        );
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER cases_case_region_set BEFORE INSERT OR UPDATE OF region_id, customer_id
    ON cases_case FOR EACH ROW EXECUTE FUNCTION cases_case_region_set()
    """,
    """
    CREATE FUNCTION customers_customer_region_to_cases() RETURNS trigger AS $$
    BEGIN
        UPDATE cases_case SET region_id = NEW.territory_id WHERE customer_id = NEW.id;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER customers_customer_region_to_cases AFTER UPDATE OF territory_id
    ON customers_customer FOR EACH ROW
    WHEN (NEW.territory_id IS DISTINCT FROM OLD.territory_id)
    EXECUTE FUNCTION customers_customer_region_to_cases()
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS customers_customer_region_to_cases ON customers_customer",
    "DROP FUNCTION IF EXISTS customers_customer_region_to_cases()",
    "DROP TRIGGER IF EXISTS cases_case_region_set ON cases_case",
    "DROP FUNCTION IF EXISTS cases_case_region_set()",
]


def _run(statements: dict):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise RuntimeError(f"Case.region has no triggers for {vendor}.")
        for sql in statements[vendor]:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_case_queue_and_load_indexes"),
        ("customers", "0010_remove_customer_referred_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="region",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="customers.territory",
                verbose_name="region",
            ),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["status", "owner", "region", "opened_at", "sla_breached_at"],
                name="case_load_open",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["opened_at", "owner", "region"], name="case_load_recent"),
        ),
        # Last: on PostgreSQL the rows it writes leave foreign-key checks pending.
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
