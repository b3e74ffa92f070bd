"""``Case.region``, the customer's territory copied on each case so the case load groups without
a join to the customers, is kept by database triggers: every path that writes a case or moves a
customer to another territory (services, bulk, import, admin, raw SQL) keeps it right.

Migration ``0004_case_region_kept_by_database`` installs them; ``region_triggers_install`` puts
them back after every ``migrate``, because on SQLite a later migration that rebuilds
``cases_case`` or ``customers_customer`` (Django copies the table and drops the old one) takes
the triggers with it. It also puts right any row that drifted meanwhile."""

from django.db import connections

_CUSTOMER_REGION = "SELECT territory_id FROM customers_customer WHERE id = NEW.customer_id"

SQLITE = [
    f"""
    CREATE TRIGGER IF NOT EXISTS cases_case_region_insert AFTER INSERT ON cases_case
    BEGIN
        UPDATE cases_case SET region_id = ({_CUSTOMER_REGION}) WHERE id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS cases_case_region_update
    AFTER UPDATE OF region_id, customer_id ON cases_case
    WHEN NEW.region_id IS NOT ({_CUSTOMER_REGION})
    BEGIN
        UPDATE cases_case SET region_id = ({_CUSTOMER_REGION}) WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS customers_customer_region_to_cases
    AFTER UPDATE OF territory_id ON customers_customer
    WHEN NEW.territory_id IS NOT OLD.territory_id
    BEGIN
        UPDATE cases_case SET region_id = NEW.territory_id WHERE customer_id = NEW.id;
    END
    """,
]

POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION cases_case_region_set() RETURNS trigger AS $$
    BEGIN
        NEW.region_id := ({_CUSTOMER_REGION});
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE TRIGGER cases_case_region_set
    BEFORE INSERT OR UPDATE OF region_id, customer_id
    ON cases_case FOR EACH ROW EXECUTE FUNCTION cases_case_region_set()
    """,
    """
    CREATE OR REPLACE FUNCTION customers_customer_region_to_cases() RETURNS trigger AS $$
    BEGIN
        UPDATE cases_case SET region_id = NEW.territory_id WHERE customer_id = NEW.id;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE TRIGGER customers_customer_region_to_cases AFTER UPDATE OF territory_id
    ON customers_customer FOR EACH ROW
    WHEN (NEW.territory_id IS DISTINCT FROM OLD.territory_id)
    EXECUTE FUNCTION customers_customer_region_to_cases()
    """,
]

_REALIGN = """
UPDATE cases_case SET region_id = (
    SELECT territory_id FROM customers_customer WHERE customers_customer.id = cases_case.customer_id
) WHERE region_id {differs} (
    SELECT territory_id FROM customers_customer WHERE customers_customer.id = cases_case.customer_id
)
"""

TRIGGERS = {"sqlite": SQLITE, "postgresql": POSTGRES}
DIFFERS = {"sqlite": "IS NOT", "postgresql": "IS DISTINCT FROM"}


def region_triggers_install(*, using: str = "default") -> None:
    """Install the triggers if missing (idempotent) and realign rows that drifted."""
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if not {"cases_case", "customers_customer"} <= tables:
        return  # migrated backwards past the cases
    vendor = connection.vendor
    if vendor not in TRIGGERS:
        raise RuntimeError(f"Case.region has no triggers for {vendor}.")
    with connection.cursor() as cursor:
        for sql in TRIGGERS[vendor]:
            cursor.execute(sql)
        cursor.execute(_REALIGN.format(differs=DIFFERS[vendor]))


def region_triggers_after_migrate(sender, using="default", **kwargs) -> None:
    if getattr(sender, "label", None) == "cases":
        region_triggers_install(using=using)
