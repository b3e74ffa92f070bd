"""Customer import speed: rows per minute for a dry run, a commit and a re-import.

    .venv/bin/python bench/import_customers.py            # 100,000 rows, 1-3 contacts each
    .venv/bin/python bench/import_customers.py --quick    # 5,000 rows, under a minute

Generates a CSV and an .xlsx file of customers (owners, tags, countries written as codes,
English or Chinese names, phones in national or international format), then imports them on
SQLite (a fresh TEND_DATA_DIR) and on PostgreSQL (a database it creates and drops), one
subprocess per database. The aim is at least 100,000 rows per minute. The last line is JSON.
"""

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/")
PG_DATABASE = "tend_bench_import"
REPS = 20
HEADERS = [
    "Customer name",
    "External ID",
    "Country",
    "City",
    "Type",
    "Tier",
    "Owner",
    "Currency",
    "Tags",
    "Contact",
    "Email",
    "Phone",
    "Contact 2 name",
    "Contact 2 email",
    "Contact 2 phone",
    "Contact 3 name",
    "Contact 3 email",
    "Contact 3 phone",
]
COUNTRIES = [
    ("AE", "United Arab Emirates", "阿联酋", "Dubai", "AED"),
    ("SA", "Saudi Arabia", "沙特阿拉伯", "Riyadh", "SAR"),
    ("US", "United States", "美国", "Chicago", "USD"),
    ("DE", "Germany", "德国", "Hamburg", "EUR"),
    ("GB", "United Kingdom", "英国", "London", "GBP"),
    ("FR", "France", "法国", "Lyon", "EUR"),
    ("IN", "India", "印度", "Mumbai", "USD"),
    ("BR", "Brazil", "巴西", "São Paulo", "USD"),
    ("RU", "Russia", "俄罗斯", "Moscow", "USD"),
    ("JP", "Japan", "日本", "Osaka", "JPY"),
    ("AU", "Australia", "澳大利亚", "Sydney", "AUD"),
    ("MX", "Mexico", "墨西哥", "Monterrey", "USD"),
    ("VN", "Vietnam", "越南", "Ho Chi Minh City", "USD"),
    ("NG", "Nigeria", "尼日利亚", "Lagos", "USD"),
    ("ZA", "South Africa", "南非", "Johannesburg", "USD"),
    ("TR", "Turkey", "土耳其", "Istanbul", "EUR"),
    ("ES", "Spain", "西班牙", "Madrid", "EUR"),
    ("PL", "Poland", "波兰", "Warsaw", "EUR"),
    ("CL", "Chile", "智利", "Santiago", "USD"),
    ("MY", "Malaysia", "马来西亚", "Kuala Lumpur", "USD"),
]
WORDS = [
    "Noor",
    "Gulf",
    "Star",
    "Home",
    "Kitchen",
    "Euro",
    "Prime",
    "Delta",
    "Atlas",
    "Orient",
    "Royal",
    "Sun",
    "Ocean",
    "Metro",
    "Global",
    "Crown",
    "Falcon",
    "Lotus",
    "Cedar",
    "Nova",
]
SUFFIXES = ["Trading LLC", "GmbH", "Ltd", "S.A.", "Imports", "Distribution", "Co.", "Pty Ltd"]
TYPES = ["importer", "distributor", "dealer", "Retailer", "进口商"]
TAGS = ["vip", "fair-2024", "canton", "online", "oem", "slow-payer", "new"]


# Generating the files --------------------------------------------------------------------


def _phone_maker(rng: random.Random):
    import phonenumbers

    templates = {}
    for code, *_rest in COUNTRIES:
        example = phonenumbers.example_number_for_type(code, phonenumbers.PhoneNumberType.MOBILE)
        templates[code] = (example.country_code, str(example.national_number))

    def make(code: str) -> str:
        country_code, national = templates[code]
        for _attempt in range(20):
            digits = national[:-5] + f"{rng.randrange(100000):05d}"
            number = phonenumbers.parse(f"+{country_code}{digits}")
            if phonenumbers.is_valid_number(number):
                style = (
                    phonenumbers.PhoneNumberFormat.INTERNATIONAL
                    if rng.random() < 0.6
                    else phonenumbers.PhoneNumberFormat.NATIONAL
                )
                return phonenumbers.format_number(number, style)
        return phonenumbers.format_number(
            phonenumbers.parse(f"+{country_code}{national}"), phonenumbers.PhoneNumberFormat.E164
        )

    return make


def generate_rows(count: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    phone = _phone_maker(rng)
    rows = []
    for n in range(count):
        code, english, chinese, city, currency = COUNTRIES[n % len(COUNTRIES)]
        country = rng.choice([code, english, chinese])
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {n} {rng.choice(SUFFIXES)}"
        domain = f"c{n}.example.com"
        contacts = rng.choice([1, 1, 2, 2, 3])
        row = [
            name,
            f"ERP-{n:07d}",
            country,
            city,
            rng.choice(TYPES),
            rng.choice("ABC"),
            f"rep{rng.randrange(REPS)}" if rng.random() < 0.8 else "",
            currency,
            ", ".join(rng.sample(TAGS, rng.randrange(3))),
        ]
        for index in range(3):
            if index < contacts:
                row += [f"Person {index} of {n}", f"p{index}@{domain}", phone(code)]
            else:
                row += ["", "", ""]
        rows.append(row)
    return rows


def write_files(rows: list[list[str]], folder: Path) -> dict[str, Path]:
    import openpyxl

    paths = {"csv": folder / "customers.csv", "xlsx": folder / "customers.xlsx"}
    with paths["csv"].open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Customers")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(paths["xlsx"])
    # The re-import: every customer's tier changes and every tenth gets a new contact.
    edited = []
    for n, row in enumerate(rows):
        row = list(row)
        row[5] = {"A": "B", "B": "C", "C": "A"}[row[5]]
        if n % 10 == 0 and not row[15]:
            row[15:18] = [f"New person {n}", f"new@c{n}.example.com", ""]
        edited.append(row)
    paths["edited"] = folder / "customers-edited.csv"
    with paths["edited"].open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        writer.writerows(edited)
    return paths


# One database, in its own process --------------------------------------------------------


def worker(folder: Path) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tend.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tend.accounts.models import Role, Team, User
    from tend.audit.models import AuditEntry
    from tend.customers.models import Contact, Customer
    from tend.imports.customers import import_customers

    call_command("migrate", verbosity=0, skip_checks=True)
    team = Team.objects.create(name="Bench")
    admin = User.objects.create(username="bench-admin", role=Role.ADMIN)
    User.objects.bulk_create(
        [
            User(username=f"rep{n}", first_name="Rep", last_name=str(n), role=Role.REP, team=team)
            for n in range(REPS)
        ]
    )
    figures: dict = {"database": connection.vendor}

    def timed(label: str, path: Path, commit: bool) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        result = import_customers(by=admin, path=path, commit=commit)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        if result.errors:
            raise SystemExit(f"{label}: {len(result.errors)} errors, first {result.errors[:3]}")
        figures[label] = {
            "rows": result.rows,
            "seconds": round(seconds, 2),
            "rows_per_second": round(result.rows / seconds),
            "rows_per_minute": round(result.rows / seconds * 60),
            "python_cpu_seconds": round(cpu, 2),
            "load_average": round(os.getloadavg()[0], 1),
            "created": result.customers_created,
            "updated": result.customers_updated,
            "unchanged": result.customers_unchanged,
            "contacts_created": result.contacts_created,
        }
        print(
            f"  {connection.vendor:10} {label:22} {result.rows:>8} rows {seconds:7.2f} s "
            f"{result.rows / seconds:>9,.0f} rows/s {result.rows / seconds * 60:>11,.0f} rows/min "
            f"(Python CPU {cpu:.1f} s, load {os.getloadavg()[0]:.1f})",
            file=sys.stderr,
            flush=True,
        )

    timed("csv_dry_run", folder / "customers.csv", commit=False)
    timed("xlsx_dry_run", folder / "customers.xlsx", commit=False)
    timed("csv_commit", folder / "customers.csv", commit=True)
    figures["after_commit"] = {
        "customers": Customer.objects.count(),
        "contacts": Contact.objects.count(),
        "audit_entries": AuditEntry.objects.count(),
    }
    timed("xlsx_reimport_unchanged", folder / "customers.xlsx", commit=True)
    timed("csv_reimport_update", folder / "customers-edited.csv", commit=True)
    figures["after_update"] = {
        "customers": Customer.objects.count(),
        "contacts": Contact.objects.count(),
        "audit_entries": AuditEntry.objects.count(),
    }
    return figures


def run_worker(folder: Path, env: dict) -> dict | None:
    completed = subprocess.run(
        [sys.executable, __file__, "--worker", str(folder)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    if completed.returncode != 0:
        print(f"  worker failed (exit {completed.returncode})", file=sys.stderr)
        return None
    return json.loads(completed.stdout.strip().splitlines()[-1])


def postgres_admin():
    import psycopg

    return psycopg.connect(PG_SERVER.rstrip("/") + "/postgres", autocommit=True, connect_timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5,000 rows, under a minute")
    parser.add_argument("--rows", type=int, help="rows in the file (default 100,000)")
    parser.add_argument(
        "--databases",
        default="sqlite,postgresql",
        help="comma-separated: sqlite, postgresql (default both)",
    )
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return

    rows_wanted = args.rows or (5_000 if args.quick else 100_000)
    folder = Path(tempfile.mkdtemp(prefix="tend-bench-import-"))
    try:
        started = time.perf_counter()
        rows = generate_rows(rows_wanted)
        paths = write_files(rows, folder)
        contacts = sum(1 for row in rows for i in (9, 12, 15) if row[i])
        print(
            f"Generated {rows_wanted:,} rows ({contacts:,} contacts) as CSV "
            f"({paths['csv'].stat().st_size / 1e6:.1f} MB) and xlsx "
            f"({paths['xlsx'].stat().st_size / 1e6:.1f} MB) in "
            f"{time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        summary: dict = {"rows": rows_wanted, "contacts": contacts, "aim_rows_per_minute": 100_000}

        data_dir = folder / "var"
        data_dir.mkdir()
        python_path = os.pathsep.join(
            filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])
        )
        # As in production: no query log, no debug pages.
        env = {
            **os.environ,
            "TEND_DATA_DIR": str(data_dir),
            "PYTHONPATH": python_path,
            "DEBUG": "false",
        }
        env.pop("DATABASE_URL", None)
        databases = {name.strip() for name in args.databases.split(",")}
        summary["sqlite"] = run_worker(folder, env) if "sqlite" in databases else None

        try:
            if "postgresql" not in databases:
                raise LookupError("not asked for")
            admin = postgres_admin()
        except Exception as exc:  # noqa: BLE001 - any reason means "no PostgreSQL here"
            if "postgresql" in databases:
                print(
                    f"  PostgreSQL at {PG_SERVER} unreachable ({exc.__class__.__name__}): skipped",
                    file=sys.stderr,
                )
            summary["postgresql"] = None
        else:
            with admin:
                admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
                admin.execute(f"CREATE DATABASE {PG_DATABASE}")
                try:
                    pg_env = {
                        **env,
                        "DATABASE_URL": PG_SERVER.rstrip("/") + "/" + PG_DATABASE,
                        "DB_CONN_MAX_AGE": "0",
                    }
                    summary["postgresql"] = run_worker(folder, pg_env)
                finally:
                    admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        for database in ("sqlite", "postgresql"):
            figures = summary.get(database)
            if figures:
                slowest = min(
                    figures[k]["rows_per_minute"]
                    for k in ("csv_dry_run", "csv_commit", "csv_reimport_update")
                )
                summary[f"{database}_meets_aim"] = slowest >= 100_000
        print(json.dumps(summary))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
