"""Capture speed: an .mbox of 100,000 messages filed, a WhatsApp export of 40,000 messages.

    .venv/bin/python bench/capture.py            # 100,000 mails, 40,000 chat lines
    .venv/bin/python bench/capture.py --quick    # 5,000 mails, 4,000 chat lines, under a minute

Builds a book of 2,000 customers with contacts, writes an mbox of mixed mail (questions from
contacts, our replies in their threads with promise phrases, mail matched by company domain,
strangers on public domains, GBK mail labelled gb2312, HTML-only mail) and an Android chat
export, then times reading and filing each on SQLite and on PostgreSQL (a database it creates
and drops), one subprocess per database, and files the mbox a second time (nothing added).
Aims: mbox under 120 s, WhatsApp under 20 s. The last line is JSON with mbox_s and whatsapp_s
(wall clock, the slower database), each run's CPU seconds and the load average beside them: on
a shared machine the wall clock says as much about the neighbours as about Tend.
"""

import argparse
import json
import mailbox
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import report, run_on_databases  # noqa: E402

PG_URL = (
    os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/") + "tend_bench_capture"
)
CUSTOMERS = 2_000
START = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
OURS = "sales@tend-exports.com"


def _mail(n: int, rng: random.Random) -> bytes:
    at = START + timedelta(minutes=3 * n)
    customer = rng.randrange(CUSTOMERS)
    kind = rng.random()
    head = f"Date: {format_datetime(at)}\nMessage-ID: <m{n}@bench>\n"
    if kind < 0.40:  # a question from a contact
        return (
            f"From: Buyer {customer} <buyer{customer}@importer{customer}.example>\nTo: {OURS}\n"
            f"Subject: Kettles {n}\n{head}\nHello, could you quote 500 pcs of model {n}?\n"
            "Regards"
        ).encode()
    if kind < 0.75:  # our reply in the thread of the question before it
        parent = max(0, n - rng.randrange(1, 5))
        return (
            f"From: rep{customer % 20}@tend-exports.com\nTo: buyer{customer}@importer{customer}"
            f".example\nSubject: Re: Kettles\n{head}In-Reply-To: <m{parent}@bench>\n"
            f"References: <m{parent}@bench>\n\nDear buyer, we will send the quote by Friday.\n"
            "\nOn Monday you wrote:\n> could you quote?"
        ).encode()
    if kind < 0.85:  # a colleague of the contact: matched by the company's domain
        return (
            f"From: boss@importer{customer}.example\nTo: {OURS}\nSubject: Visit\n{head}\n"
            "Thanks for the visit last week."
        ).encode()
    if kind < 0.92:  # a stranger on a public domain: to file
        return (
            f"From: someone{n}@gmail.com\nTo: {OURS}\nSubject: Hi\n{head}\nPrice list?"
        ).encode()
    if kind < 0.96:  # GBK labelled gb2312
        return (
            f"From: buyer{customer}@importer{customer}.example\nTo: {OURS}\n"
            "Subject: =?gb2312?B?0a+827Wl?=\n"
            f"{head}MIME-Version: 1.0\nContent-Type: text/plain; charset=gb2312\n"
            "Content-Transfer-Encoding: 8bit\n\n"
        ).encode() + "请问镕钢水壶的报价？".encode("gbk")
    return (
        f"From: buyer{customer}@importer{customer}.example\nTo: {OURS}\nSubject: News\n{head}"
        "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
        "<html><body><p>Our new&nbsp;<b>catalogue</b></p><div>is out.</div></body></html>"
    ).encode()


def write_mbox(path: Path, count: int) -> None:
    rng = random.Random(7)
    box = mailbox.mbox(str(path))
    box.lock()
    try:
        for n in range(count):
            box.add(_mail(n, rng))
    finally:
        box.flush()
        box.unlock()
        box.close()


def write_chat(path: Path, count: int) -> None:
    rng = random.Random(11)
    lines = []
    at = datetime(2024, 1, 1, 8, 0)  # noqa: DTZ001  (a phone's wall clock)
    for n in range(count):
        at += timedelta(minutes=rng.randrange(1, 30))
        clock = f"{at.hour % 12 or 12}:{at:%M}\u202f{'AM' if at.hour < 12 else 'PM'}"
        stamp = f"{at.month}/{at.day}/{at:%y}, {clock}"
        if n % 2:
            lines.append(f"{stamp} - Lin Wei: We will send the sample by Monday ({n})")
        else:
            lines.append(f"{stamp} - Omar Haddad: Any news on order {n}?")
            if n % 7 == 0:
                lines.append("Second line of the question")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def worker(folder: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tend.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tend.accounts.models import Role, Team, User
    from tend.capture.models import CapturedMessage, Source
    from tend.capture.parsing.mail import iter_mbox, parse_message
    from tend.capture.parsing.whatsapp import read_export
    from tend.capture.services import chat_import, mails_capture
    from tend.customers.models import Contact, Customer
    from tend.engagement.models import Interaction

    call_command("migrate", verbosity=0, skip_checks=True)
    team = Team.objects.create(name="Bench")
    reps = User.objects.bulk_create(
        [
            User(username=f"rep{n}", email=f"rep{n}@tend-exports.com", role=Role.REP, team=team)
            for n in range(20)
        ]
    )
    customers = Customer.objects.bulk_create(
        [
            Customer(
                name=f"Importer {n}",
                name_key=f"importer{n}",
                country="AE",
                city="Dubai",
                time_zone="Asia/Dubai",
                owner=reps[n % 20],
            )
            for n in range(CUSTOMERS)
        ]
    )
    Contact.objects.bulk_create(
        [
            Contact(
                customer=c,
                name=f"Buyer {n}",
                email=f"buyer{n}@importer{n}.example",
                email_domain=f"importer{n}.example",
            )
            for n, c in enumerate(customers)
        ]
    )
    by = reps[0]
    figures: dict = {"database": connection.vendor}

    def file_mbox() -> tuple[float, int]:
        started, cpu = time.perf_counter(), time.process_time()
        added, chunk = 0, []
        for raw in iter_mbox(str(folder / "bench.mbox")):
            chunk.append(parse_message(raw))
            if len(chunk) == 2000:
                added += mails_capture(mails=chunk, by=by, source=Source.UPLOAD).added
                chunk = []
        if chunk:
            added += mails_capture(mails=chunk, by=by, source=Source.UPLOAD).added
        figures["last_cpu_s"] = round(time.process_time() - cpu, 2)
        return time.perf_counter() - started, added

    seconds, added = file_mbox()
    figures["mbox_s"] = round(seconds, 2)
    figures["mbox_cpu_s"] = figures.pop("last_cpu_s")
    figures["load_average"] = round(os.getloadavg()[0], 1)
    figures["mbox_added"] = added
    figures["mbox_filed"] = CapturedMessage.objects.filter(customer__isnull=False).count()
    figures["inquiries"] = Interaction.objects.filter(needs_answer=True).count()
    figures["answered"] = Interaction.objects.filter(answered_at__isnull=False).count()
    print(
        f"  {connection.vendor:10} mbox      {added:>7} added in {seconds:6.1f} s", file=sys.stderr
    )
    seconds, added = file_mbox()
    figures["mbox_again_s"], figures["mbox_again_added"] = round(seconds, 2), added
    figures.pop("last_cpu_s")
    print(
        f"  {connection.vendor:10} mbox again {added:>6} added in {seconds:6.1f} s", file=sys.stderr
    )

    started, cpu = time.perf_counter(), time.process_time()
    chat = read_export((folder / "chat.txt").read_bytes())
    result = chat_import(
        by=by, customer=customers[0], chat=chat, time_zone="Asia/Dubai", roles={"Lin Wei": "us"}
    )
    seconds = time.perf_counter() - started
    figures["whatsapp_s"] = round(seconds, 2)
    figures["whatsapp_cpu_s"] = round(time.process_time() - cpu, 2)
    figures["whatsapp_added"] = result.added
    print(
        f"  {connection.vendor:10} whatsapp  {result.added:>7} added in {seconds:6.1f} s",
        file=sys.stderr,
    )
    report(figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5,000 mails and 4,000 chat lines")
    parser.add_argument("--mails", type=int)
    parser.add_argument("--chat", type=int)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    mails = args.mails or (5_000 if args.quick else 100_000)
    lines = args.chat or (4_000 if args.quick else 40_000)
    with tempfile.TemporaryDirectory(prefix="tend-bench-capture-") as folder:
        started = time.perf_counter()
        write_mbox(Path(folder) / "bench.mbox", mails)
        write_chat(Path(folder) / "chat.txt", lines)
        print(
            f"Wrote {mails:,} mails and {lines:,} chat lines "
            f"in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        os.environ["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])
        )
        results, notes = run_on_databases(
            __file__,
            [folder],
            postgres_url=PG_URL,
            postgres=not args.no_postgres,
            what=f"{mails:,} mails, {lines:,} chat lines",
        )
    summary = {
        "mails": mails,
        "chat_lines": lines,
        "aim_mbox_s": 120,
        "aim_whatsapp_s": 20,
        "runs": results,
        "notes": notes,
        "mbox_s": max(r["mbox_s"] for r in results),
        "whatsapp_s": max(r["whatsapp_s"] for r in results),
    }
    summary["meets_aim"] = summary["mbox_s"] < 120 and summary["whatsapp_s"] < 20
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
