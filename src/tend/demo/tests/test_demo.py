import hashlib
import io
import zoneinfo
from datetime import date

import phonenumbers
import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from tend.accounts.models import Role, Team, User
from tend.audit.models import AuditEntry
from tend.core.reference import timezone_for
from tend.customers.matching import name_key
from tend.customers.models import Contact, Customer
from tend.customers.services import customer_refresh_search_text
from tend.demo import data, registry
from tend.demo.builder import build_demo

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 2)


# The customer book; other apps' demo steps are tested with those apps.
CORE = ("people", "reference", "customers", "market_referrals")  # referrals: the ledger


def build(customers=200, seed=7, reset=False, today=DAY, only=CORE):
    return build_demo(
        customers=customers, seed=seed, today=today, reset=reset, write=lambda _: None, only=only
    )


def digest() -> str:
    """Names, places, owners, contacts and dates of the whole book, independent of ids."""
    hasher = hashlib.sha256()
    contacts: dict[int, list] = {}
    for row in Contact.objects.order_by("id").values_list(
        "customer_id", "name", "email", "phone", "mobile", "whatsapp", "wechat", "title"
    ):
        contacts.setdefault(row[0], []).append(row[1:])
    for customer in Customer.objects.select_related(
        "owner", "backup_owner", "referral_received__referrer"
    ).order_by("id"):
        hasher.update(
            repr(
                (
                    customer.name,
                    customer.local_name,
                    customer.country,
                    customer.city,
                    customer.tier,
                    customer.status,
                    customer.owner.username if customer.owner else None,
                    customer.backup_owner.username if customer.backup_owner else None,
                    customer.referred_by.name if customer.referred_by else None,
                    customer.created_at.isoformat(),
                    sorted(customer.tags.values_list("name", flat=True)),
                    contacts.get(customer.pk),
                )
            ).encode()
        )
    return hasher.hexdigest()


def expected_zone(country: str, city: str) -> str:
    explicit = dict(data.COUNTRY_BY_CODE[country].cities)[city]
    return explicit or timezone_for(country, city)


def test_the_same_seed_and_day_build_the_same_book():
    build()
    first = digest()
    build(reset=True)
    assert digest() == first
    build(seed=8, reset=True)
    assert digest() != first


def test_a_book_of_600_customers_spans_at_least_40_countries():
    build(customers=600)
    assert Customer.objects.values("country").distinct().count() >= 40
    assert Customer.objects.values("territory").distinct().count() == len(data.TERRITORIES)


def test_every_customer_has_the_time_zone_of_its_city():
    build(customers=600)
    for country, city, zone, overridden in Customer.objects.values_list(
        "country", "city", "time_zone", "time_zone_overridden"
    ):
        assert zone == expected_zone(country, city), (country, city)
        zoneinfo.ZoneInfo(zone)
        # Only a zone that timezone_for would get wrong is kept as set by hand.
        assert overridden == (zone != timezone_for(country, city))


def test_every_listed_city_has_a_real_zone_of_its_country():
    for country in data.COUNTRIES:
        for city, explicit in country.cities:
            zone = explicit or timezone_for(country.code, city)
            zoneinfo.ZoneInfo(zone)
            if explicit:
                assert explicit != timezone_for(country.code, city), f"{city}: not needed"


def test_every_phone_number_is_valid_e164_for_the_customers_country():
    build(customers=600)
    checked = 0
    for country, *numbers in Contact.objects.values_list(
        "customer__country", "phone", "mobile", "whatsapp"
    ):
        for number in filter(None, numbers):
            parsed = phonenumbers.parse(number, None)
            assert phonenumbers.is_valid_number(parsed), number
            assert phonenumbers.region_code_for_number(parsed) == country, number
            assert number == phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
            checked += 1
    assert checked > 600


def test_the_cast_is_two_teams_of_three_reps_with_a_manager_each_and_an_admin():
    ctx = build()
    for team in Team.objects.filter(name__in=list(data.TEAMS)):
        assert team.members.filter(role=Role.REP).count() == 3
        assert team.members.filter(role=Role.MANAGER).count() == 1
    assert User.objects.filter(role=Role.ADMIN, is_superuser=True).count() == 1
    assert {username for username, *_ in ctx.logins} == {p.username for p in data.PEOPLE}
    assert authenticate(username="helen", password=data.PASSWORD) is not None
    assert len(set(User.objects.values_list("password", flat=True))) == 1  # hashed once


def test_reps_own_customers_of_their_teams_territories_and_some_are_in_the_pool():
    build(customers=600)
    pool = Customer.objects.filter(owner__isnull=True).count()
    assert 0.03 * 600 < pool < 0.15 * 600
    backed_up = Customer.objects.filter(backup_owner__isnull=False).count()
    assert 0.25 * 600 < backed_up < 0.55 * 600
    assert not Customer.objects.filter(backup_owner__isnull=False, owner__isnull=True).exists()
    for customer in Customer.objects.filter(owner__isnull=False).select_related(
        "owner__team", "backup_owner__team", "territory"
    ):
        assert customer.territory.name in data.TEAMS[customer.owner.team.name]
        if customer.backup_owner:
            assert customer.backup_owner != customer.owner
            assert customer.backup_owner.team == customer.owner.team
            assert customer.backup_owner.is_rep


def test_tiers_types_sources_and_referrals_are_mixed():
    build(customers=600)
    tiers = {t: Customer.objects.filter(tier=t).count() for t in "ABC"}
    assert tiers["A"] < tiers["B"] < tiers["C"]
    assert Customer.objects.values("type").distinct().count() == 5
    assert Customer.objects.filter(referral_received__isnull=False).exists()
    for customer in Customer.objects.filter(referral_received__isnull=False):
        assert customer.source == "referral"
        assert customer.referred_by.pk < customer.pk
    assert Customer.objects.exclude(local_name="").exists()


def test_denormalised_columns_match_what_the_services_compute():
    build()
    for customer in Customer.objects.order_by("id")[:60]:
        assert customer.name_key == name_key(customer.name)
        stored = customer.search_text
        customer_refresh_search_text(customer=customer)
        assert stored == customer.search_text
    for email, domain in Contact.objects.values_list("email", "email_domain"):
        assert domain == email.rpartition("@")[2]


def test_a_sample_of_customers_and_contacts_passes_model_validation():
    build()
    for customer in Customer.objects.order_by("id")[:80]:
        zone = customer.time_zone
        customer.full_clean()
        assert customer.time_zone == zone
    for contact in Contact.objects.select_related("customer").order_by("id")[:120]:
        before = (contact.phone, contact.mobile, contact.whatsapp, contact.email)
        contact.full_clean()
        assert (contact.phone, contact.mobile, contact.whatsapp, contact.email) == before


def test_each_customer_has_one_primary_contact_and_one_audit_entry():
    ctx = build()
    for customer in Customer.objects.prefetch_related("contacts"):
        contacts = list(customer.contacts.all())
        assert 1 <= len(contacts) <= 3
        assert sum(contact.is_primary for contact in contacts) == 1
    entries = AuditEntry.objects.filter(entity="customer", action="create")
    assert entries.count() == Customer.objects.count()
    entry = entries.get(entity_id=ctx.customers[0].id)
    assert entry.actor == ctx.admin
    assert entry.changes["name"] == [None, Customer.objects.get(pk=entry.entity_id).name]
    wechat = Contact.objects.exclude(wechat="")
    assert wechat.exists()
    assert set(wechat.values_list("language", flat=True)) == {"zh"}


def test_building_on_a_book_is_refused_without_reset():
    build()
    with pytest.raises(CommandError, match="--reset"):
        build()
    assert Customer.objects.count() == 200


def test_the_command_prints_a_timing_summary_and_the_logins():
    out = io.StringIO()
    call_command("demo", customers=60, seed=3, today=DAY, only=",".join(CORE), stdout=out)
    text = out.getvalue()
    assert "60 customers" in text
    assert "insert customers" in text
    assert f"password “{data.PASSWORD}”" in text
    assert "helen" in text and "admin" in text
    with pytest.raises(CommandError, match="already has 60 customers"):
        call_command("demo", customers=60, seed=3, today=DAY, only="people", stdout=io.StringIO())
    call_command(
        "demo",
        customers=60,
        seed=3,
        today=DAY,
        reset=True,
        only=",".join(CORE),
        stdout=io.StringIO(),
    )
    assert Customer.objects.count() == 60


def test_a_step_from_another_app_runs_after_its_anchor_and_sees_the_book():
    seen = {}

    def count_customers(ctx):
        seen["customers"] = len(ctx.customers)
        seen["first_step_done"] = Customer.objects.count()
        seen["number"] = ctx.rng("extra").random()

    registry.register_step("extra", count_customers, after="customers")
    try:
        names = [step.name for step in registry.steps()]
        assert names.index("extra") > names.index("customers")
        build(customers=50, only=[*CORE, "extra"])
    finally:
        registry._steps[:] = [step for step in registry._steps if step.name != "extra"]
        registry._after_of.pop("extra", None)
    assert seen["customers"] == seen["first_step_done"] == 50
    assert (
        seen["number"]
        == registry.DemoContext(seed=7, today=DAY, now=None, size=0).rng("extra").random()
    )


def test_only_runs_the_named_steps_and_names_the_known_ones_when_one_is_unknown():
    ctx = build(customers=30, only=["people", "reference"])
    assert not ctx.customers and not Customer.objects.exists()
    assert User.objects.filter(username="helen").exists()
    with pytest.raises(CommandError, match="people, reference, customers"):
        call_command("demo", customers=30, only="people,orderz", reset=True, stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)  # as `tend demo` runs: mail goes out on commit
def test_the_demo_keeps_the_emails_of_its_stories_out_of_its_output(
    settings, capsys, deployed_rows
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    out = io.StringIO()

    call_command("demo", customers=60, seed=3, today=DAY, stdout=out)

    printed = capsys.readouterr().out
    assert "Subject:" not in printed + out.getvalue()
    assert "emails the stories send were kept, not sent." in out.getvalue()
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
