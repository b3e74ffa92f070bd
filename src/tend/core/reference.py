"""Reference lists used across Tend: countries, currencies, Incoterms, languages, time zones."""

import functools
import gettext
import unicodedata
import zoneinfo
from importlib import resources

import pycountry
from django.utils import translation
from django.utils.translation import gettext_lazy as _

INCOTERMS_2020 = [
    ("EXW", _("EXW — Ex Works")),
    ("FCA", _("FCA — Free Carrier")),
    ("CPT", _("CPT — Carriage Paid To")),
    ("CIP", _("CIP — Carriage and Insurance Paid To")),
    ("DAP", _("DAP — Delivered at Place")),
    ("DPU", _("DPU — Delivered at Place Unloaded")),
    ("DDP", _("DDP — Delivered Duty Paid")),
    ("FAS", _("FAS — Free Alongside Ship")),
    ("FOB", _("FOB — Free on Board")),
    ("CFR", _("CFR — Cost and Freight")),
    ("CIF", _("CIF — Cost, Insurance and Freight")),
]

LANGUAGES = [
    ("en", _("English")),
    ("zh", _("Chinese")),
    ("ar", _("Arabic")),
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
    ("fr", _("French")),
    ("de", _("German")),
    ("it", _("Italian")),
    ("nl", _("Dutch")),
    ("pl", _("Polish")),
    ("ru", _("Russian")),
    ("tr", _("Turkish")),
    ("ja", _("Japanese")),
    ("ko", _("Korean")),
    ("vi", _("Vietnamese")),
    ("th", _("Thai")),
    ("id", _("Indonesian")),
    ("ms", _("Malay")),
    ("hi", _("Hindi")),
    ("fa", _("Persian")),
    ("he", _("Hebrew")),
    ("sv", _("Swedish")),
    ("el", _("Greek")),
    ("uk", _("Ukrainian")),
    ("ro", _("Romanian")),
    ("cs", _("Czech")),
    ("hu", _("Hungarian")),
    ("sw", _("Swahili")),
    ("other", _("Other")),
]


# pycountry ships the ISO country names in many languages; Tend's languages map to these.
_PYCOUNTRY_LOCALES = {"zh-hans": "zh_CN"}


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(code, name) for every ISO 3166 country, named and sorted in the reader's language."""
    return _country_choices(language or translation.get_language() or "en")


def country_names(language: str | None = None) -> dict[str, str]:
    return _country_names(language or translation.get_language() or "en")


@functools.cache
def _country_choices(language: str) -> list[tuple[str, str]]:
    locale = _PYCOUNTRY_LOCALES.get(language.lower())
    names = (
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale]).gettext
        if locale
        else str
    )
    return sorted(
        ((c.alpha_2, names(c.name)) for c in pycountry.countries), key=lambda item: item[1]
    )


@functools.cache
def _country_names(language: str) -> dict[str, str]:
    return dict(_country_choices(language))


@functools.cache
def currency_codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


@functools.cache
def currency_choices() -> list[tuple[str, str]]:
    return sorted((c.alpha_3, f"{c.alpha_3} — {c.name}") for c in pycountry.currencies)


@functools.cache
def timezone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def _zones_by_country() -> dict[str, list[str]]:
    """Country -> zones from the IANA zone1970.tab, main zone first (the table's order)."""
    table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    zones: dict[str, list[str]] = {}
    for line in table.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, _coords, zone = line.split("\t")[:3]
        zones.setdefault(code, []).append(zone)
    return zones


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum())


# Cities whose zone is not the country's first zone and whose name is not a zone name.
CITY_ZONES = {
    ("US", "losangeles"): "America/Los_Angeles",
    ("US", "sanfrancisco"): "America/Los_Angeles",
    ("US", "seattle"): "America/Los_Angeles",
    ("US", "houston"): "America/Chicago",
    ("US", "dallas"): "America/Chicago",
    ("US", "miami"): "America/New_York",
    ("US", "atlanta"): "America/New_York",
    ("CA", "montreal"): "America/Toronto",
    ("CA", "calgary"): "America/Edmonton",
    ("AU", "canberra"): "Australia/Sydney",
    ("BR", "riodejaneiro"): "America/Sao_Paulo",
    ("BR", "manaus"): "America/Manaus",
    ("RU", "saintpetersburg"): "Europe/Moscow",
    ("RU", "novosibirsk"): "Asia/Novosibirsk",
    ("MX", "guadalajara"): "America/Mexico_City",
    ("MX", "monterrey"): "America/Monterrey",
    ("MX", "tijuana"): "America/Tijuana",
    ("KZ", "astana"): "Asia/Almaty",
    ("ID", "surabaya"): "Asia/Jakarta",
    ("ID", "bali"): "Asia/Makassar",
    ("ID", "denpasar"): "Asia/Makassar",
    ("CN", "beijing"): "Asia/Shanghai",
    ("CN", "guangzhou"): "Asia/Shanghai",
    ("CN", "shenzhen"): "Asia/Shanghai",
    ("CN", "yiwu"): "Asia/Shanghai",
    ("AR", "cordoba"): "America/Argentina/Cordoba",
    ("ES", "laspalmas"): "Atlantic/Canary",
    ("PT", "funchal"): "Atlantic/Madeira",
    ("CL", "santiago"): "America/Santiago",
}


# The zone most of a multi-zone country's business runs on, where the table lists another first.
MAIN_ZONES = {
    "US": "America/New_York",
    "CA": "America/Toronto",
    "RU": "Europe/Moscow",
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "MX": "America/Mexico_City",
    "ID": "Asia/Jakarta",
    "KZ": "Asia/Almaty",
    "AR": "America/Argentina/Buenos_Aires",
    "CL": "America/Santiago",
    "ES": "Europe/Madrid",
    "PT": "Europe/Lisbon",
    "DE": "Europe/Berlin",
    "UA": "Europe/Kyiv",
    "MY": "Asia/Kuala_Lumpur",
    "NZ": "Pacific/Auckland",
    "EC": "America/Guayaquil",
    "CD": "Africa/Kinshasa",
    "MN": "Asia/Ulaanbaatar",
    "CN": "Asia/Shanghai",
}


def timezone_for(country: str, city: str = "") -> str:
    """The IANA zone for a country and city: a known city, a zone named after the city,
    else the country's main zone. UTC when the country is unknown."""
    country = (country or "").upper()
    zones = _zones_by_country().get(country, [])
    folded = _fold(city or "")
    if folded:
        known = CITY_ZONES.get((country, folded))
        if known:
            return known
        for zone in zones:
            if _fold(zone.rsplit("/", 1)[-1]) == folded:
                return zone
    return MAIN_ZONES.get(country) or (zones[0] if zones else "UTC")
