"""`tend import customers FILE`."""

import io

import pytest
from django.core.management import CommandError, call_command

from tend.customers.models import Customer

from .sheets import write_csv


def call(*args):
    out = io.StringIO()
    call_command("import", "customers", *map(str, args), stdout=out)
    return out.getvalue()


def test_a_dry_run_lists_the_bad_rows_and_fails(manager1, tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        ["Company", "Country", "Email"],
        [["Good Co", "AE", "a@good.example"], ["Bad Co", "Narnia", "b@bad.example"]],
    )

    with pytest.raises(CommandError, match="Nothing was imported"):
        call(path, "--dry-run", "--as", "maria")

    assert Customer.objects.count() == 0


def test_a_good_file_imports_and_says_what_it_did(manager1, tmp_path):
    path = write_csv(
        tmp_path / "c.csv", ["Company", "Country", "Email"], [["Good Co", "AE", "a@good.example"]]
    )

    dry = call(path, "--dry-run", "--as", "maria")
    assert dry.splitlines()[-1] == (
        "Dry run, all 1 rows good: 1 customers new, 0 updated, 0 unchanged; 1 contacts new, "
        "0 updated."
    )
    assert Customer.objects.count() == 0

    done = call(path, "--as", "maria")
    assert done.splitlines()[-1] == (
        "Imported: 1 customers new, 0 updated, 0 unchanged; 1 contacts new, 0 updated."
    )
    assert Customer.objects.get().owner is None


def test_map_points_a_column_at_a_field_or_ignores_it(manager1, tmp_path):
    path = write_csv(
        tmp_path / "c.csv", ["Firma", "Land", "Kommentar"], [["Kölner Haus GmbH", "DE", "x"]]
    )

    call(
        path,
        "--as",
        "maria",
        "--map",
        "Firma=name",
        "--map",
        "Land=Country",
        "--map",
        "Kommentar=ignore",
    )

    customer = Customer.objects.get()
    assert (customer.name, customer.country, customer.notes) == ("Kölner Haus GmbH", "DE", "")


def test_an_unknown_field_in_map_is_refused(manager1, tmp_path):
    path = write_csv(tmp_path / "c.csv", ["Firma"], [["X"]])
    with pytest.raises(CommandError, match="Unknown field 'Firmenname'"):
        call(path, "--as", "maria", "--map", "Firma=Firmenname")


def test_without_as_the_only_admin_imports(admin_user, tmp_path):
    path = write_csv(tmp_path / "c.csv", ["Company", "Country"], [["Admin Co", "AE"]])
    call(path)
    assert Customer.objects.get().name == "Admin Co"
