"""Importing customer files: every bad row reported, all or nothing, re-imports update."""

import pytest
from django.db import transaction

from tend.audit.models import AuditEntry
from tend.core.guard import GuardedChange, approval_applying
from tend.customers import services
from tend.customers.models import Contact, Customer, OwnershipEvent
from tend.customers.tests.factories import ContactFactory, CustomerFactory
from tend.imports import bulk
from tend.imports.customers import RowError, import_customers

from .sheets import HEADERS, book_rows, write_csv, write_xlsx

PHONE_MESSAGE = (
    "“12345” is not a valid phone number; write it with the country code, e.g. +971 50 123 4567."
)


def counts():
    return Customer.objects.count(), Contact.objects.count(), AuditEntry.objects.count()


def run(user, path, commit=True, **kwargs):
    return import_customers(by=user, path=path, commit=commit, **kwargs)


def test_a_file_with_three_bad_rows_among_500_imports_nothing_and_reports_exactly_those(
    manager1, tmp_path
):
    rows = book_rows(500)
    rows[99][2] = "Atlantis"  # row 101 in the file: the header is row 1
    rows[248][7] = "not-an-email"  # row 250
    rows[400][8] = "12345"  # row 402
    path = write_csv(tmp_path / "book.csv", HEADERS, rows)

    result = run(manager1, path)

    assert result.errors == [
        RowError(
            101,
            "Country",
            "Unknown country “Atlantis”: write an ISO code (AE) or a name (United Arab Emirates).",
        ),
        RowError(250, "Email", "“not-an-email” is not a valid email address."),
        RowError(402, "Phone", PHONE_MESSAGE),
    ]
    assert (result.rows, result.good_rows, result.committed) == (500, 497, False)
    assert counts() == (0, 0, 0)


def test_the_corrected_file_imports_500_customers_with_their_contacts(manager1, tmp_path):
    path = write_csv(tmp_path / "book.csv", HEADERS, book_rows(500))

    result = run(manager1, path)

    assert result.errors == []
    assert (result.committed, result.customers_created, result.contacts_created) == (True, 500, 667)
    assert counts() == (500, 667, 500 + 667)
    customer = Customer.objects.get(external_id="ERP-00007")
    assert (customer.name, customer.country, customer.city, customer.time_zone, customer.tier) == (
        "Gulf Importer 7 Trading LLC",
        "AE",
        "Dubai",
        "Asia/Dubai",
        "B",
    )
    assert customer.owner is None
    assert customer.name_key == "gulfimporter7"
    assert customer.search_text == (
        "gulf importer 7 trading llc dubai buyer 7 buyer7@gulf7.example"
    )
    [contact] = customer.contacts.all()
    assert (contact.email, contact.email_domain, contact.phone, contact.is_primary) == (
        "buyer7@gulf7.example",
        "gulf7.example",
        "+971501000007",
        True,
    )


def test_importing_the_same_file_again_updates_without_duplicates_and_audits_the_change(
    manager1, tmp_path
):
    rows = book_rows(500)
    path = write_csv(tmp_path / "book.csv", HEADERS, rows)
    run(manager1, path)
    first_ids = set(Customer.objects.values_list("pk", flat=True))

    again = run(manager1, path)
    assert (again.customers_created, again.customers_updated, again.customers_unchanged) == (
        0,
        0,
        500,
    )
    assert counts() == (500, 667, 1167)

    rows[41][3] = "Sharjah"
    rows[41][8] = "+971 50 7654321"
    edited = run(manager1, write_csv(tmp_path / "edited.csv", HEADERS, rows))

    assert (edited.customers_created, edited.customers_updated, edited.contacts_updated) == (
        0,
        1,
        1,
    )
    assert set(Customer.objects.values_list("pk", flat=True)) == first_ids
    customer = Customer.objects.get(external_id="ERP-00041")
    assert customer.city == "Sharjah"
    update = AuditEntry.objects.get(action="update", entity="customer")
    assert (update.entity_id, update.actor, update.changes) == (
        customer.pk,
        manager1,
        {"city": ["Dubai", "Sharjah"]},
    )
    contact_update = AuditEntry.objects.get(action="update", entity="contact")
    assert contact_update.changes == {"phone": ["+971501000041", "+971507654321"]}
    assert customer.search_text == (
        "gulf importer 41 trading llc sharjah buyer 41 buyer41@gulf41.example"
    )


def test_a_gbk_csv_with_chinese_headers_imports(manager1, rep1, tmp_path):
    headers = ["公司名称", "国家", "城市", "联系人", "电子邮件", "手机", "负责人", "等级", "币种"]
    rows = [
        [
            "迪拜金源贸易有限公司",
            "阿联酋",
            "迪拜",
            "王伟",
            "wang@jinyuan.ae",
            "050 123 4567",
            "alice",
            "A级",
            "美元",
        ],
        ["利雅得家居公司", "SA", "Riyadh", "Ahmed", "ahmed@riyadh-home.sa", "", "", "B", "SAR"],
    ]
    path = write_csv(tmp_path / "客户.csv", headers, rows, encoding="gbk")

    result = run(manager1, path)

    assert result.errors == []
    dubai = Customer.objects.get(name="迪拜金源贸易有限公司")
    assert (dubai.country, dubai.city, dubai.owner, dubai.tier, dubai.currency) == (
        "AE",
        "迪拜",
        rep1,
        "A",
        "USD",
    )
    assert dubai.contacts.get().mobile == "+971501234567"
    riyadh = Customer.objects.get(name="利雅得家居公司")
    assert (riyadh.country, riyadh.time_zone, riyadh.currency) == ("SA", "Asia/Riyadh", "SAR")


def test_a_utf8_csv_with_a_byte_order_mark_and_semicolons_imports(manager1, tmp_path):
    headers = ["Company", "Country", "Email"]
    rows = [["Lyon Cuisine SARL", "France", "achat@lyon-cuisine.fr"]]
    path = write_csv(tmp_path / "fr.csv", headers, rows, encoding="utf-8-sig", delimiter=";")

    result = run(manager1, path)

    assert result.errors == []
    customer = Customer.objects.get()
    assert (customer.name, customer.country, customer.contacts.get().name) == (
        "Lyon Cuisine SARL",
        "FR",
        "achat@lyon-cuisine.fr",
    )


def test_an_xlsx_file_imports_with_numbers_read_as_text(manager1, tmp_path):
    headers = ["Company", "ERP ID", "Country", "City", "Contact", "Mobile", "Sales rep"]
    rows = [
        ["Berlin Haushalt GmbH", 10001, "DE", "Berlin", "Klaus Weber", 15112345678, "maria"],
        ["Hamburg Küchen AG", 10002, "Germany", "Hamburg", "Anna Schmidt", "0151 23456789", ""],
    ]
    path = write_xlsx(tmp_path / "book.xlsx", headers, rows)

    result = run(manager1, path)

    assert result.errors == []
    berlin = Customer.objects.get(external_id="10001")
    assert (berlin.name, berlin.owner, berlin.contacts.get().mobile) == (
        "Berlin Haushalt GmbH",
        manager1,
        "+4915112345678",
    )
    hamburg = Customer.objects.get(external_id="10002")
    assert (hamburg.country, hamburg.owner, hamburg.contacts.get().mobile) == (
        "DE",
        None,
        "+4915123456789",
    )


def test_repeated_rows_and_extra_contact_columns_give_several_contacts(manager1, tmp_path):
    headers = ["Company", "External ID", "Country", "Contact", "Email", "联系人2", "联系人2邮箱"]
    rows = [
        ["Nairobi Homeware Ltd", "K-1", "KE", "Wanjiru", "wanjiru@homeware.ke", "", ""],
        ["", "K-1", "", "Otieno", "otieno@homeware.ke", "Achieng", "achieng@homeware.ke"],
        ["Nairobi Homeware Ltd", "K-1", "Kenya", "Wanjiru", "wanjiru@homeware.ke", "", ""],
    ]
    path = write_csv(tmp_path / "ke.csv", headers, rows)

    result = run(manager1, path)

    assert result.errors == []
    customer = Customer.objects.get()
    assert list(customer.contacts.values_list("name", "email", "is_primary")) == [
        ("Wanjiru", "wanjiru@homeware.ke", True),
        ("Achieng", "achieng@homeware.ke", False),
        ("Otieno", "otieno@homeware.ke", False),
    ]


def test_without_an_external_id_rows_with_the_same_company_name_are_one_customer(
    manager1, tmp_path
):
    headers = ["Company", "Country", "Contact", "Phone"]
    rows = [
        ["Lagos Home Goods Ltd", "NG", "Chidi", "0803 123 4567"],
        ["LAGOS HOME GOODS LIMITED", "NG", "Ngozi", "0803 765 4321"],
    ]
    result = run(manager1, write_csv(tmp_path / "ng.csv", headers, rows))

    assert result.errors == []
    customer = Customer.objects.get()
    assert list(customer.contacts.values_list("name", "phone")) == [
        ("Chidi", "+2348031234567"),
        ("Ngozi", "+2348037654321"),
    ]


def test_the_same_name_with_different_details_is_a_duplicate_not_a_repeated_row(manager1, tmp_path):
    headers = ["Company", "Country", "Contact"]
    rows = [["Delta Traders", "EG", "Mona"], ["Delta Traders", "NG", "Tunde"]]
    result = run(manager1, write_csv(tmp_path / "d.csv", headers, rows))

    assert result.errors == [
        RowError(
            3,
            "Company",
            "Same company name as row 2 but different details (Country: "
            "“EG” there, “NG” here): give each company its own name, or make "
            "the rows agree.",
        ),
    ]
    assert counts() == (0, 0, 0)


def test_duplicates_of_the_book_and_within_the_file_are_reported(manager1, tmp_path):
    CustomerFactory(name="Al Noor Trading Co., L.L.C.", external_id="")
    headers = ["Company", "External ID", "Country"]
    rows = [
        ["AL-NOOR TRADING LLC", "A-1", "AE"],
        ["Desert Rose FZE", "A-2", "AE"],
        ["Desert Rose", "A-3", "AE"],
    ]
    result = run(manager1, write_csv(tmp_path / "dup.csv", headers, rows))

    assert result.errors == [
        RowError(2, "Company", "Already in the book as “Al Noor Trading Co., L.L.C.”."),
        RowError(
            4,
            "Company",
            "Same company name as row 3: give each company its own name, or the same external id.",
        ),
    ]
    assert Customer.objects.count() == 1


def test_a_rep_cannot_import_customers_for_another_rep(rep1, rep2, tmp_path):
    headers = ["Company", "Country", "Owner"]
    rows = [
        ["Mine Imports", "AE", ""],
        ["Bobs Imports", "AE", "bob"],
        ["Pool Imports", "AE", "pool"],
    ]
    path = write_csv(tmp_path / "rep.csv", headers, rows)

    result = run(rep1, path)

    assert result.errors == [
        RowError(3, "Owner", "A rep can only create customers for themselves or the pool."),
    ]
    assert counts() == (0, 0, 0)

    del rows[1]
    result = run(rep1, write_csv(tmp_path / "rep-fixed.csv", headers, rows))
    assert result.errors == []
    assert dict(Customer.objects.values_list("name", "owner__username")) == {
        "Mine Imports": "alice",
        "Pool Imports": None,
    }


def test_an_update_of_a_customer_the_user_cannot_see_is_not_theirs(rep1, rep2, tmp_path):
    theirs = CustomerFactory(name="Bobs Own", external_id="B-7", owner=rep2, city="Dubai")
    headers = ["Company", "External ID", "Country", "City"]
    rows = [["Bobs Own", "B-7", "AE", "Abu Dhabi"]]

    result = run(rep1, write_csv(tmp_path / "x.csv", headers, rows))

    assert result.errors == [
        RowError(
            2,
            "External ID",
            "Not yours: the customer with external id “B-7” is not one you may change.",
        ),
    ]
    theirs.refresh_from_db()
    assert theirs.city == "Dubai"


def test_a_rep_cannot_move_a_customer_to_another_owner_by_import(rep1, rep2, tmp_path):
    CustomerFactory(name="Alices Own", external_id="A-7", owner=rep1)
    headers = ["Company", "External ID", "Owner"]
    result = run(rep1, write_csv(tmp_path / "x.csv", headers, [["Alices Own", "A-7", "bob"]]))

    assert result.errors == [
        RowError(2, "Owner", "Only a manager can move a customer to another owner."),
    ]


def test_a_manager_assigns_owners_within_the_team_only(manager1, rep1, rep2, tmp_path):
    headers = ["Company", "Country", "Owner", "Backup owner"]
    rows = [["Team Imports", "AE", "Alice", "maria"], ["Other Team", "AE", "bob", ""]]

    result = run(manager1, write_csv(tmp_path / "m.csv", headers, rows), commit=False)

    assert result.errors == [RowError(3, "Owner", "You cannot assign customers to Bob Tester.")]


def test_an_update_changes_filled_in_cells_adds_contacts_and_deletes_nothing(manager1, tmp_path):
    customer = CustomerFactory(
        name="Cairo Kitchen Co",
        external_id="EG-1",
        country="EG",
        city="Cairo",
        time_zone="Africa/Cairo",
        tier="C",
        notes="Keep me",
    )
    services.customer_update(by=manager1, customer=customer, fields={}, tags=["old"])
    kept = ContactFactory(
        customer=customer, name="Hassan", email="hassan@cairo.example", phone="", is_primary=True
    )
    ContactFactory(customer=customer, name="Laila", email="laila@cairo.example")
    headers = ["Company", "External ID", "Tier", "Notes", "Tags", "Contact", "Email", "Phone"]
    rows = [
        [
            "Cairo Kitchen Co",
            "EG-1",
            "A",
            "",
            "new",
            "Hassan A.",
            "hassan@cairo.example",
            "02 2345 6789",
        ],
        ["Cairo Kitchen Co", "EG-1", "", "", "", "Youssef", "youssef@cairo.example", ""],
    ]
    before_entries = AuditEntry.objects.count()

    result = run(manager1, write_csv(tmp_path / "eg.csv", headers, rows))

    assert result.errors == []
    customer.refresh_from_db()
    assert (customer.tier, customer.notes) == ("A", "Keep me")
    assert sorted(customer.tags.values_list("name", flat=True)) == ["new", "old"]
    kept.refresh_from_db()
    assert (kept.name, kept.phone, kept.is_primary) == ("Hassan A.", "+20223456789", True)
    assert sorted(customer.contacts.values_list("name", flat=True)) == [
        "Hassan A.",
        "Laila",
        "Youssef",
    ]
    new_entries = AuditEntry.objects.order_by("id")[before_entries:]
    assert [(e.action, e.entity, e.changes) for e in new_entries][:2] == [
        ("update", "customer", {"tier": ["C", "A"], "tags": [["old"], ["new", "old"]]}),
        ("update", "contact", {"name": ["Hassan", "Hassan A."], "phone": ["", "+20223456789"]}),
    ]
    assert [(e.action, e.entity_label) for e in new_entries][2:] == [("create", "Youssef")]


def test_an_import_writes_what_the_services_write(manager1, rep1, admin_user, tmp_path):
    headers = [
        "Company",
        "Country",
        "City",
        "Owner",
        "Tags",
        "Contact",
        "Email",
        "Mobile",
        "Language",
        "Payment terms",
        "Incoterm",
    ]
    row = [
        "Chicago Housewares",
        "US",
        "Chicago",
        "alice",
        "retail, usa",
        "Jane Doe",
        "Jane@Chicago-Housewares.com",
        "(312) 555-0142",
        "English",
        "30% T/T deposit",
        "FOB",
    ]
    run(manager1, write_csv(tmp_path / "us.csv", headers, [row]))
    imported = Customer.objects.get()
    by_service = services.customer_create(
        by=manager1,
        fields={
            "name": "Chicago Housewares",
            "country": "US",
            "city": "Chicago",
            "owner": rep1,
            "payment_terms": "30% T/T deposit",
            "incoterm": "FOB",
        },
        tags=["retail", "usa"],
        contacts=[
            {
                "name": "Jane Doe",
                "email": "Jane@Chicago-Housewares.com",
                "mobile": "(312) 555-0142",
                "language": "en",
            }
        ],
        allow_duplicate=True,
    )

    def written(customer):
        contact = customer.contacts.get()
        entries = (
            AuditEntry.objects.filter(customer_id=customer.pk)
            .exclude(entity="approvalrequest")  # its label carries the request's number
            .order_by("id")
        )
        return (
            [
                getattr(customer, name)
                for name in (
                    "name",
                    "name_key",
                    "search_text",
                    "time_zone",
                    "time_zone_overridden",
                    "owner_id",
                    "tier",
                    "cadence_days",
                )
            ],
            [
                getattr(customer, name) - customer.created_at
                for name in ("owned_since", "touch_due_at", "pool_return_at")
            ],
            [
                getattr(contact, name)
                for name in ("email", "email_domain", "mobile", "is_primary", "language")
            ],
            [(e.action, e.entity, e.entity_label, e.changes) for e in entries],
            list(OwnershipEvent.objects.filter(customer=customer).values_list("role", "to_user")),
            list(customer.approval_requests.values_list("kind", "state", "proposed", "reason")),
        )

    assert written(imported) == written(by_service)
    assert OwnershipEvent.objects.filter(customer=imported).get().move == "import"


def test_a_dry_run_writes_nothing_and_counts_what_a_commit_would_do(manager1, tmp_path):
    path = write_csv(tmp_path / "book.csv", HEADERS, book_rows(30))

    result = run(manager1, path, commit=False)

    assert (result.ok, result.committed, result.customers_created, result.contacts_created) == (
        True,
        False,
        30,
        40,
    )
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        ("Currency", "DOLLARS", "“DOLLARS” is not an ISO 4217 currency code (e.g. USD, EUR, CNY)."),
        (
            "Owner",
            "Zed Nobody",
            "No active person called “Zed Nobody” (give a username, email or full name).",
        ),
        ("Tier", "Z", "Unknown tier “Z”: use one of A, B, C."),
        (
            "Type",
            "Wholesale club",
            "Unknown type “Wholesale club”: use one of importer, "
            "distributor, dealer, retailer, brand.",
        ),
        (
            "Status",
            "maybe",
            "Unknown status “maybe”: use one of prospect, active, dormant, lost, won_back.",
        ),
    ],
)
def test_each_kind_of_bad_value_names_row_column_and_problem(
    manager1, tmp_path, header, value, message
):
    headers = ["Company", "Country", header]
    result = run(manager1, write_csv(tmp_path / "bad.csv", headers, [["Fine Co", "AE", value]]))

    assert result.errors == [RowError(2, header, message)]
    assert counts() == (0, 0, 0)


def test_a_missing_company_name_and_country_are_reported(manager1, tmp_path):
    headers = ["Company", "Country", "Contact"]
    rows = [["", "AE", "Someone"], ["No Country Ltd", "", "Else"]]
    result = run(manager1, write_csv(tmp_path / "m.csv", headers, rows))

    assert result.errors == [
        RowError(2, "Company", "The company name is missing."),
        RowError(3, "Country", "The country is missing."),
    ]


def test_an_owner_change_by_import_is_recorded_as_the_form_records_it(manager1, rep1, tmp_path):
    imported = CustomerFactory(name="Sharjah Tools", external_id="SH-1", owner=None, tier="B")
    by_form = CustomerFactory(name="Ajman Tools", owner=None, tier="B")
    services.customer_update(by=manager1, customer=by_form, fields={"owner": rep1})
    headers = ["Company", "External ID", "Owner"]

    result = run(
        manager1, write_csv(tmp_path / "o.csv", headers, [["Sharjah Tools", "SH-1", "alice"]])
    )

    assert (result.errors, result.customers_updated) == ([], 1)
    imported.refresh_from_db()
    by_form.refresh_from_db()

    def recorded(customer):
        entry = AuditEntry.objects.get(customer_id=customer.pk, action="update")
        event = OwnershipEvent.objects.get(customer=customer)
        return (
            customer.owner,
            customer.touch_due_at - customer.created_at,
            customer.pool_return_at - customer.owned_since,
            entry.changes,
            (event.role, event.from_user, event.to_user, event.by, event.move),
        )

    assert recorded(imported) == recorded(by_form)
    assert recorded(imported)[3] == {"owner": [None, "Alice Tester"]}


def test_new_customers_terms_are_asked_for_and_existing_ones_terms_are_refused(
    manager1, admin_user, tmp_path
):
    with approval_applying():  # terms already approved
        CustomerFactory(
            name="Doha Lights", external_id="Q-1", country="QA", payment_terms="30 days"
        )
    headers = ["Company", "External ID", "Country", "Payment terms", "Credit limit"]
    rows = [
        ["Doha Lights", "Q-1", "QA", "60 days", ""],
        ["Muscat Lamps", "O-1", "OM", "T/T in advance", "250,000.50"],
    ]

    result = run(manager1, write_csv(tmp_path / "g.csv", headers, rows))

    assert result.errors == [
        RowError(
            2,
            "Payment terms",
            "An existing customer's payment terms change only by an approved request.",
        ),
    ]
    assert Customer.objects.count() == 1

    rows[0][3] = "30 days"
    result = run(manager1, write_csv(tmp_path / "g2.csv", headers, rows))

    assert (result.errors, result.terms_held_for_approval) == ([], 1)
    muscat = Customer.objects.get(external_id="O-1")
    assert (muscat.payment_terms, muscat.credit_limit) == ("", None)
    request = muscat.approval_requests.get()
    assert (request.kind, request.state, request.proposed, request.admin_required) == (
        "credit_terms",
        "pending",
        {"payment_terms": "T/T in advance", "credit_limit": "250000.50"},
        True,
    )


def test_the_bulk_writer_refuses_a_guarded_field_like_the_orm_does(manager1):
    with approval_applying():  # terms already approved
        customer = CustomerFactory(payment_terms="30 days")
    with pytest.raises(GuardedChange):
        bulk.update(Customer, ["payment_terms"], [("60 days", customer.pk)])
    customer.refresh_from_db()
    assert customer.payment_terms == "30 days"


@pytest.mark.postgres_only
def test_a_large_update_on_postgresql_goes_through_a_temporary_table(manager1, monkeypatch):
    first, second = CustomerFactory(tier="C"), CustomerFactory(tier="C")
    monkeypatch.setattr(bulk, "COPY_ROWS", 1)
    with transaction.atomic():
        bulk.update(
            Customer, ["tier", "city"], [("A", "Abu Dhabi", first.pk), ("B", "", second.pk)]
        )
    first.refresh_from_db()
    second.refresh_from_db()
    assert [(c.tier, c.city) for c in (first, second)] == [("A", "Abu Dhabi"), ("B", "")]
