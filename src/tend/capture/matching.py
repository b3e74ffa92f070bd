"""Which customer a message belongs to: the contact's address, then the company's domain (never
a public mail provider's), then the thread it answers. Looked up in bulk: a few queries per
batch of messages, whatever its size."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models.functions import Lower

from tend.accounts.models import User
from tend.customers.matching import company_domain
from tend.customers.models import Contact

from .models import CapturedMessage, Match


@dataclass(frozen=True)
class Verdict:
    customer_id: int | None
    contact_id: int | None
    match: str
    candidates: tuple[int, ...] = ()


class Matcher:
    """Built once per batch with every address and thread id the batch mentions."""

    def __init__(self, *, addresses: set[str], thread_ids: set[str], our_domains: set[str]):
        self.by_address: dict[str, set[tuple[int, int]]] = defaultdict(set)
        for email, customer_id, contact_id in (
            Contact.objects.annotate(lower=Lower("email"))
            .filter(lower__in=addresses)
            .values_list("lower", "customer_id", "id")
        ):
            self.by_address[email].add((customer_id, contact_id))
        domains = {company_domain(a) for a in addresses} - {""} - our_domains
        self.by_domain: dict[str, set[int]] = defaultdict(set)
        for domain, customer_id in (
            Contact.objects.filter(email_domain__in=domains)
            .values_list("email_domain", "customer_id")
            .distinct()
        ):
            self.by_domain[domain].add(customer_id)
        self.threads: dict[str, tuple[int | None, str]] = {}
        if thread_ids:
            for message_id, customer_id, thread_key in CapturedMessage.objects.filter(
                message_id__in=thread_ids, excluded=False
            ).values_list("message_id", "customer_id", "thread_key"):
                self.threads[message_id] = (customer_id, thread_key)
        self.our_domains = our_domains

    def remember(self, message_id: str, customer_id: int | None, thread_key: str) -> None:
        """A message filed earlier in the same batch is a thread parent like one in the database."""
        if message_id:
            self.threads[message_id] = (customer_id, thread_key)

    def parent(self, ids: list[str]) -> tuple[int | None, str] | None:
        for message_id in reversed(ids):
            if message_id in self.threads:
                return self.threads[message_id]
        return None

    def verdict(self, addresses: list[str], thread_ids: list[str]) -> Verdict:
        found = (
            set().union(*(self.by_address.get(a, set()) for a in addresses)) if addresses else set()
        )
        customers = {customer for customer, _ in found}
        if len(customers) == 1:
            return Verdict(customers.pop(), sorted(found)[0][1], Match.CONTACT)
        if len(customers) > 1:
            return Verdict(None, None, Match.AMBIGUOUS, tuple(sorted(customers)))
        by_domain: set[int] = set()
        for address in addresses:
            by_domain |= self.by_domain.get(company_domain(address), set())
        if len(by_domain) == 1:
            return Verdict(by_domain.pop(), None, Match.DOMAIN)
        if len(by_domain) > 1:
            return Verdict(None, None, Match.AMBIGUOUS, tuple(sorted(by_domain)))
        parent = self.parent(thread_ids)
        if parent and parent[0]:
            return Verdict(parent[0], None, Match.THREAD)
        return Verdict(None, None, Match.NONE)


def our_addresses(extra: list[str] = ()) -> tuple[set[str], set[str]]:
    """Everyone's addresses at our company, and our company domains: mail from them is ours."""
    addresses = {
        email.lower() for email in User.objects.exclude(email="").values_list("email", flat=True)
    } | {a.lower() for a in extra if a}
    domains = {company_domain(a) for a in extra if a} - {""}
    return addresses, domains
