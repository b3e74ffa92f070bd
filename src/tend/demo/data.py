"""The demo book's raw material: countries with real business cities, names per language region,
company-name parts, titles, tags and trade terms. Plain data, no Django.

A city's zone is ``None`` when ``tend.core.reference.timezone_for(country, city)`` already gives
the right one; cities where it does not carry their zone explicitly (and the builder marks those
customers' zone as set by hand, so a later save does not derive the wrong one).
"""

from dataclasses import dataclass, field

# --- Territories and the two sales teams -----------------------------------------------------

TERRITORIES = [
    "Middle East",
    "Africa",
    "South Asia",
    "Southeast Asia",
    "East Asia",
    "Oceania",
    "Western Europe",
    "Eastern Europe",
    "North America",
    "Latin America",
]

PASSWORD = "tend-demo"


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    role: str  # admin | manager | rep
    team: str | None
    time_zone: str = "Asia/Shanghai"
    # Territories this rep mainly looks after (a rep also gets some of the team's other ones).
    territories: tuple[str, ...] = ()


TEAM_MEA = "Middle East, Africa & Asia-Pacific"
TEAM_EA = "Europe & Americas"

TEAMS = {
    TEAM_MEA: (
        "Middle East",
        "Africa",
        "South Asia",
        "Southeast Asia",
        "East Asia",
        "Oceania",
    ),
    TEAM_EA: ("Western Europe", "Eastern Europe", "North America", "Latin America"),
}

PEOPLE = [
    Person("admin", "Grace", "Lin", "admin", None),
    Person("helen", "Helen", "Zhou", "manager", TEAM_MEA),
    Person("daniel", "Daniel", "Wu", "manager", TEAM_EA),
    Person("kevin", "Kevin", "Wang", "rep", TEAM_MEA, territories=("Middle East",)),
    Person(
        "amira",
        "Amira",
        "Haddad",
        "rep",
        TEAM_MEA,
        time_zone="Asia/Dubai",
        territories=("Middle East", "Africa"),
    ),
    Person(
        "jason",
        "Jason",
        "Li",
        "rep",
        TEAM_MEA,
        territories=("South Asia", "Southeast Asia", "East Asia", "Oceania"),
    ),
    Person("vivian", "Vivian", "Chen", "rep", TEAM_EA, territories=("Western Europe",)),
    Person(
        "lukas",
        "Lukas",
        "Becker",
        "rep",
        TEAM_EA,
        time_zone="Europe/Berlin",
        territories=("Western Europe", "Eastern Europe"),
    ),
    Person(
        "sofia",
        "Sofia",
        "Martínez",
        "rep",
        TEAM_EA,
        time_zone="America/Mexico_City",
        territories=("North America", "Latin America"),
    ),
]

# --- Countries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Country:
    code: str
    territory: str
    weight: float  # relative share of the book
    style: str  # key of STYLES: names of companies and people
    language: str  # contacts' usual language (a code of reference.LANGUAGES)
    currencies: tuple[tuple[str, float], ...]
    cities: tuple[tuple[str, str | None], ...]  # (city, zone when timezone_for gets it wrong)
    tld: str
    free_mail: tuple[str, ...] = ()
    whatsapp: float = 0.6  # share of contacts reachable on WhatsApp
    city_weights: tuple[float, ...] = field(default=())


# Legal forms by country where a language region's differ (Spain is not Mexico).
LEGAL_FORMS = {
    "AE": ("LLC", "FZE", "FZCO", "Est.", "L.L.C."),
    "SA": ("Co.", "Est.", "Trading Co."),
    "QA": ("W.L.L.", "Co."),
    "KW": ("W.L.L.", "Co."),
    "BH": ("W.L.L.", "Co."),
    "OM": ("LLC", "SAOC"),
    "JO": ("Co.", "LLC"),
    "IQ": ("Co.", "Ltd"),
    "EG": ("S.A.E.", "LLC", "Co."),
    "US": ("Inc.", "LLC", "Corp."),
    "GB": ("Ltd", "Limited", "PLC"),
    "IE": ("Ltd", "Limited"),
    "CA": ("Inc.", "Ltd.", "Corp."),
    "AU": ("Pty Ltd",),
    "NZ": ("Limited", "Ltd"),
    "ZA": ("(Pty) Ltd",),
    "NG": ("Ltd", "Nig. Ltd", "Limited"),
    "KE": ("Ltd", "Limited"),
    "GH": ("Ltd", "Limited"),
    "TZ": ("Ltd", "Limited"),
    "DE": ("GmbH", "GmbH & Co. KG", "KG", "AG", "e.K."),
    "AT": ("GmbH", "KG"),
    "CH": ("AG", "GmbH"),
    "NL": ("B.V.",),
    "BE": ("BV", "NV"),
    "ES": ("S.L.", "S.A."),
    "MX": ("S.A. de C.V.", "S. de R.L. de C.V."),
    "AR": ("S.A.", "S.R.L."),
    "CL": ("SpA", "Ltda.", "S.A."),
    "CO": ("S.A.S.", "Ltda."),
    "PE": ("S.A.C.", "E.I.R.L."),
    "PA": ("S.A.",),
    "BR": ("Ltda.", "S.A.", "EIRELI"),
    "PT": ("Lda.", "S.A."),
    "FR": ("SARL", "SAS", "SA"),
    "MA": ("SARL", "SA"),
    "DZ": ("SARL", "EURL"),
}


USD = (("USD", 1.0),)

COUNTRIES = [
    # Middle East
    Country("AE", "Middle East", 8, "arabic", "ar", (("USD", 0.65), ("AED", 0.35)),
            (("Dubai", None), ("Abu Dhabi", None), ("Sharjah", None), ("Ajman", None)),
            "ae", whatsapp=0.9, city_weights=(6, 2, 2, 1)),
    Country("SA", "Middle East", 6, "arabic", "ar", (("USD", 0.6), ("SAR", 0.4)),
            (("Riyadh", None), ("Jeddah", None), ("Dammam", None), ("Khobar", None)),
            "sa", whatsapp=0.9, city_weights=(4, 4, 2, 1)),
    Country("QA", "Middle East", 1.5, "arabic", "ar", (("USD", 0.7), ("QAR", 0.3)),
            (("Doha", None),), "qa", whatsapp=0.9),
    Country("KW", "Middle East", 1.5, "arabic", "ar", (("USD", 0.7), ("KWD", 0.3)),
            (("Kuwait City", None), ("Hawalli", None)), "com.kw", whatsapp=0.9),
    Country("OM", "Middle East", 1.2, "arabic", "ar", (("USD", 0.7), ("OMR", 0.3)),
            (("Muscat", None), ("Sohar", None), ("Salalah", None)), "om", whatsapp=0.9),
    Country("BH", "Middle East", 1, "arabic", "ar", USD,
            (("Manama", None),), "bh", whatsapp=0.9),
    Country("JO", "Middle East", 1.2, "arabic", "ar", (("USD", 0.8), ("JOD", 0.2)),
            (("Amman", None), ("Zarqa", None), ("Irbid", None)), "jo", whatsapp=0.9),
    Country("IQ", "Middle East", 2, "arabic", "ar", USD,
            (("Baghdad", None), ("Erbil", None), ("Basra", None)), "iq", whatsapp=0.9),
    Country("EG", "Middle East", 2.5, "arabic", "ar", (("USD", 0.85), ("EUR", 0.15)),
            (("Cairo", None), ("Alexandria", None), ("Giza", None)), "com.eg", whatsapp=0.9),
    Country("TR", "Middle East", 3, "turkish", "tr", (("USD", 0.55), ("EUR", 0.45)),
            (("Istanbul", None), ("Ankara", None), ("Izmir", None), ("Bursa", None)),
            "com.tr", whatsapp=0.8, city_weights=(5, 2, 2, 1)),
    # Africa
    Country("NG", "Africa", 3, "english_africa", "en", USD,
            (("Lagos", None), ("Abuja", None), ("Kano", None), ("Port Harcourt", None)),
            "com.ng", whatsapp=0.9, city_weights=(5, 2, 1, 1)),
    Country("KE", "Africa", 2, "english_africa", "en", USD,
            (("Nairobi", None), ("Mombasa", None)), "co.ke", whatsapp=0.9),
    Country("ZA", "Africa", 2.5, "english", "en", (("USD", 0.7), ("ZAR", 0.3)),
            (("Johannesburg", None), ("Cape Town", None), ("Durban", None)), "co.za",
            whatsapp=0.85),
    Country("GH", "Africa", 1.5, "english_africa", "en", USD,
            (("Accra", None), ("Kumasi", None), ("Tema", None)), "com.gh", whatsapp=0.9),
    Country("TZ", "Africa", 1, "english_africa", "sw", USD,
            (("Dar es Salaam", None), ("Arusha", None)), "co.tz", whatsapp=0.9),
    Country("MA", "Africa", 1.5, "french", "fr", (("EUR", 0.6), ("USD", 0.4)),
            (("Casablanca", None), ("Tangier", None), ("Marrakesh", None)), "ma",
            whatsapp=0.85),
    Country("DZ", "Africa", 1, "french", "fr", (("EUR", 0.5), ("USD", 0.5)),
            (("Algiers", None), ("Oran", None)), "dz", whatsapp=0.7),
    # Western Europe
    Country("DE", "Western Europe", 6, "german", "de", (("EUR", 1.0),),
            (("Hamburg", None), ("Berlin", None), ("Munich", None), ("Frankfurt", None),
             ("Düsseldorf", None), ("Cologne", None)), "de",
            free_mail=("gmx.de", "web.de"), whatsapp=0.3),
    Country("GB", "Western Europe", 5, "english", "en",
            (("GBP", 0.5), ("USD", 0.35), ("EUR", 0.15)),
            (("London", None), ("Manchester", None), ("Birmingham", None), ("Leeds", None),
             ("Glasgow", None)), "co.uk", free_mail=("yahoo.co.uk",), whatsapp=0.4,
            city_weights=(5, 2, 2, 1, 1)),
    Country("FR", "Western Europe", 4, "french", "fr", (("EUR", 1.0),),
            (("Paris", None), ("Lyon", None), ("Marseille", None), ("Lille", None)), "fr",
            free_mail=("orange.fr", "wanadoo.fr"), whatsapp=0.35),
    Country("IT", "Western Europe", 3.5, "italian", "it", (("EUR", 1.0),),
            (("Milan", None), ("Rome", None), ("Naples", None), ("Bologna", None),
             ("Turin", None)), "it", free_mail=("libero.it",), whatsapp=0.6),
    Country("ES", "Western Europe", 3, "spanish", "es", (("EUR", 1.0),),
            (("Madrid", None), ("Barcelona", None), ("Valencia", None), ("Seville", None),
             ("Las Palmas", None)), "es", whatsapp=0.7, city_weights=(4, 4, 2, 1, 1)),
    Country("NL", "Western Europe", 3, "dutch", "nl", (("EUR", 1.0),),
            (("Amsterdam", None), ("Rotterdam", None), ("Utrecht", None), ("Eindhoven", None)),
            "nl", whatsapp=0.6),
    Country("BE", "Western Europe", 1.5, "dutch", "nl", (("EUR", 1.0),),
            (("Antwerp", None), ("Brussels", None), ("Ghent", None)), "be", whatsapp=0.5),
    Country("SE", "Western Europe", 1.5, "nordic", "sv", (("EUR", 0.6), ("SEK", 0.4)),
            (("Stockholm", None), ("Gothenburg", None), ("Malmö", None)), "se", whatsapp=0.3),
    Country("PT", "Western Europe", 1.2, "portuguese", "pt", (("EUR", 1.0),),
            (("Lisbon", None), ("Porto", None), ("Funchal", None),
             ("Ponta Delgada", "Atlantic/Azores")), "pt", whatsapp=0.7,
            city_weights=(4, 3, 1, 1)),
    Country("AT", "Western Europe", 1.2, "german", "de", (("EUR", 1.0),),
            (("Vienna", None), ("Graz", None), ("Linz", None)), "at",
            free_mail=("gmx.net",), whatsapp=0.35),
    Country("CH", "Western Europe", 1.2, "german", "de", (("EUR", 0.5), ("CHF", 0.5)),
            (("Zurich", None), ("Basel", None), ("Geneva", None)), "ch", whatsapp=0.4),
    Country("IE", "Western Europe", 1, "english", "en", (("EUR", 1.0),),
            (("Dublin", None), ("Cork", None)), "ie", whatsapp=0.5),
    Country("GR", "Western Europe", 1.2, "greek", "el", (("EUR", 1.0),),
            (("Athens", None), ("Thessaloniki", None), ("Piraeus", None)), "gr", whatsapp=0.5),
    # Eastern Europe
    Country("PL", "Eastern Europe", 3, "polish", "pl", (("EUR", 0.6), ("USD", 0.3), ("PLN", 0.1)),
            (("Warsaw", None), ("Kraków", None), ("Poznań", None), ("Gdańsk", None),
             ("Wrocław", None)), "pl", whatsapp=0.4),
    Country("RU", "Eastern Europe", 4, "russian", "ru",
            (("USD", 0.4), ("CNY", 0.45), ("RUB", 0.15)),
            (("Moscow", None), ("Saint Petersburg", None), ("Yekaterinburg", None),
             ("Novosibirsk", None), ("Kazan", None), ("Vladivostok", None)), "ru",
            free_mail=("mail.ru", "yandex.ru"), whatsapp=0.5, city_weights=(6, 3, 1, 1, 1, 1)),
    Country("UA", "Eastern Europe", 1.5, "ukrainian", "uk", (("USD", 0.6), ("EUR", 0.4)),
            (("Kyiv", None), ("Odesa", None), ("Lviv", None), ("Dnipro", None)), "com.ua",
            whatsapp=0.4),
    Country("CZ", "Eastern Europe", 1.2, "czech", "cs", (("EUR", 0.8), ("CZK", 0.2)),
            (("Prague", None), ("Brno", None), ("Ostrava", None)), "cz", whatsapp=0.35),
    Country("HU", "Eastern Europe", 1, "hungarian", "hu", (("EUR", 1.0),),
            (("Budapest", None), ("Debrecen", None)), "hu", whatsapp=0.35),
    Country("RO", "Eastern Europe", 1.2, "romanian", "ro", (("EUR", 0.8), ("USD", 0.2)),
            (("Bucharest", None), ("Cluj-Napoca", None), ("Timișoara", None)), "ro",
            whatsapp=0.6),
    Country("KZ", "Eastern Europe", 1.2, "russian", "ru", (("USD", 0.7), ("CNY", 0.3)),
            (("Almaty", None), ("Astana", None), ("Shymkent", None), ("Aktobe", "Asia/Aqtobe")),
            "kz", free_mail=("mail.ru",), whatsapp=0.7, city_weights=(4, 3, 1, 1)),
    # North America
    Country("US", "North America", 8, "english", "en", USD,
            (("New York", None), ("Los Angeles", None), ("Chicago", None), ("Houston", None),
             ("Miami", None), ("Dallas", None), ("Atlanta", None), ("Seattle", None),
             ("Denver", None), ("Phoenix", None), ("Minneapolis", "America/Chicago"),
             ("Las Vegas", "America/Los_Angeles")), "com", whatsapp=0.2,
            city_weights=(5, 5, 3, 2, 3, 2, 2, 1, 1, 1, 1, 1)),
    Country("CA", "North America", 3, "english", "en", (("USD", 0.6), ("CAD", 0.4)),
            (("Toronto", None), ("Vancouver", None), ("Montreal", None), ("Calgary", None),
             ("Winnipeg", None)), "ca", whatsapp=0.25, city_weights=(5, 3, 2, 1, 1)),
    # Latin America
    Country("MX", "Latin America", 4, "spanish", "es", USD,
            (("Mexico City", None), ("Guadalajara", None), ("Monterrey", None), ("Tijuana", None),
             ("Cancún", None)), "com.mx", whatsapp=0.95, city_weights=(5, 3, 3, 1, 1)),
    Country("BR", "Latin America", 4, "portuguese", "pt", USD,
            (("São Paulo", None), ("Rio de Janeiro", None), ("Curitiba", None), ("Manaus", None),
             ("Recife", None), ("Salvador", "America/Bahia")), "com.br", whatsapp=0.95,
            city_weights=(6, 2, 2, 1, 1, 1)),
    Country("AR", "Latin America", 1.5, "spanish", "es", USD,
            (("Buenos Aires", None), ("Córdoba", None), ("Rosario", "America/Argentina/Cordoba"),
             ("Mendoza", None)), "com.ar", whatsapp=0.95, city_weights=(5, 2, 1, 1)),
    Country("CL", "Latin America", 2, "spanish", "es", USD,
            (("Santiago", None), ("Valparaíso", None), ("Concepción", None)), "cl",
            whatsapp=0.95),
    Country("CO", "Latin America", 2, "spanish", "es", USD,
            (("Bogotá", None), ("Medellín", None), ("Cali", None), ("Barranquilla", None)),
            "com.co", whatsapp=0.95),
    Country("PE", "Latin America", 1.5, "spanish", "es", USD,
            (("Lima", None), ("Arequipa", None)), "com.pe", whatsapp=0.95),
    Country("PA", "Latin America", 1.2, "spanish", "es", USD,
            (("Panama City", None), ("Colón", None)), "com.pa", whatsapp=0.95),
    # Southeast Asia
    Country("SG", "Southeast Asia", 2, "chinese_sea", "en", (("USD", 0.8), ("SGD", 0.2)),
            (("Singapore", None),), "com.sg", whatsapp=0.8),
    Country("MY", "Southeast Asia", 2, "malay", "ms", USD,
            (("Kuala Lumpur", None), ("Penang", None), ("Johor Bahru", None), ("Kuching", None),
             ("Kota Kinabalu", "Asia/Kuching")), "com.my", whatsapp=0.9,
            city_weights=(5, 2, 2, 1, 1)),
    Country("TH", "Southeast Asia", 2, "thai", "th", USD,
            (("Bangkok", None), ("Chiang Mai", None), ("Chonburi", None)), "co.th",
            whatsapp=0.3),
    Country("VN", "Southeast Asia", 2, "vietnamese", "vi", USD,
            (("Ho Chi Minh City", None), ("Hanoi", None), ("Da Nang", None)), "vn",
            whatsapp=0.3),
    Country("ID", "Southeast Asia", 2.5, "indonesian", "id", USD,
            (("Jakarta", None), ("Surabaya", None), ("Medan", None), ("Denpasar", None),
             ("Makassar", None)), "co.id", whatsapp=0.95, city_weights=(5, 3, 1, 1, 1)),
    Country("PH", "Southeast Asia", 2, "filipino", "en", USD,
            (("Manila", None), ("Cebu City", None), ("Davao City", None)), "com.ph",
            whatsapp=0.5),
    # East Asia
    Country("JP", "East Asia", 2.5, "japanese", "ja", (("USD", 0.6), ("JPY", 0.4)),
            (("Tokyo", None), ("Osaka", None), ("Nagoya", None), ("Fukuoka", None)), "co.jp",
            free_mail=("yahoo.co.jp",), whatsapp=0.05),
    Country("KR", "East Asia", 2, "korean", "ko", USD,
            (("Seoul", None), ("Busan", None), ("Incheon", None)), "co.kr",
            free_mail=("naver.com", "hanmail.net"), whatsapp=0.05),
    Country("HK", "East Asia", 2, "chinese_hk", "zh", (("USD", 0.8), ("HKD", 0.2)),
            (("Hong Kong", None),), "com.hk", free_mail=("qq.com", "163.com"), whatsapp=0.7),
    Country("TW", "East Asia", 1.5, "chinese_tw", "zh", USD,
            (("Taipei", None), ("Taichung", None), ("Kaohsiung", None)), "com.tw",
            free_mail=("yahoo.com",), whatsapp=0.1),
    # South Asia
    Country("IN", "South Asia", 4, "indian", "en", USD,
            (("Mumbai", None), ("New Delhi", None), ("Bengaluru", None), ("Chennai", None),
             ("Ahmedabad", None), ("Kolkata", None)), "co.in", free_mail=("rediffmail.com",),
            whatsapp=0.95, city_weights=(5, 4, 2, 2, 1, 1)),
    Country("PK", "South Asia", 2, "pakistani", "en", USD,
            (("Karachi", None), ("Lahore", None), ("Islamabad", None)), "com.pk", whatsapp=0.95),
    Country("BD", "South Asia", 1.5, "bangladeshi", "en", USD,
            (("Dhaka", None), ("Chittagong", None)), "com.bd", whatsapp=0.9),
    Country("LK", "South Asia", 1, "srilankan", "en", USD,
            (("Colombo", None), ("Kandy", None)), "lk", whatsapp=0.9),
    # Oceania
    Country("AU", "Oceania", 4, "english", "en", (("USD", 0.6), ("AUD", 0.4)),
            (("Sydney", None), ("Melbourne", None), ("Brisbane", None), ("Perth", None),
             ("Adelaide", None), ("Gold Coast", "Australia/Brisbane")), "com.au",
            whatsapp=0.3, city_weights=(5, 4, 2, 2, 1, 1)),
    Country("NZ", "Oceania", 1.5, "english", "en", (("USD", 0.5), ("NZD", 0.5)),
            (("Auckland", None), ("Wellington", None), ("Christchurch", None)), "co.nz",
            whatsapp=0.3),
]  # fmt: skip

COUNTRY_BY_CODE = {country.code: country for country in COUNTRIES}

# --- Names -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """How companies and people are named in a language region."""

    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    industries: tuple[str, ...]  # words for what the company does, in the local language
    legal: tuple[str, ...]  # legal forms, most common first
    family_suffixes: tuple[str, ...] = ()  # "& Sons", "e Hijos"
    # (latin, local) company-name parts for a local-language name; template uses {brand}
    local_script: str = ""
    local_brands: tuple[tuple[str, str], ...] = ()
    local_industries: tuple[tuple[str, str], ...] = ()
    local_native: str = "{brand}{industry}"  # the local name
    local_share: float = 0.0
    local_joiner: str = ""  # between brand and industry in the local name


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


# Brand-like words used worldwide in trading companies' names ("Golden Star", "Blue Harbor").
BRAND_FIRST = _split(
    "Golden, Royal, Modern, United, National, Prime, Blue, Green, Silver, Crystal, Smart, "
    "First, Grand, Future, Bright, Diamond, Orient, Eastern, Western, New, Classic, Elite, "
    "Global, Sun, Star, Ocean, Pacific, Atlantic, Summit, Apex, Eagle, Falcon, Lotus, Cedar, "
    "Maple, Oak, Pearl, Coral, Jade, Amber"
)
BRAND_SECOND = _split(
    "Star, Gate, Horizon, Bridge, Point, Line, Crown, Oasis, Way, Choice, Source, Link, Wave, "
    "Vision, Hill, Stone, Leaf, River, Light, Harbor, Field, Tree, Peak, Path, Home, House, "
    "Valley, Port, Land, Coast, Dragon, Phoenix, Lion, Tiger, Palm, Rose, Bay, Rock, Sky, Tower"
)

STYLES: dict[str, Style] = {
    "arabic": Style(
        first_names=_split(
            "Ahmed, Mohammed, Omar, Khalid, Yousef, Hassan, Ali, Faisal, Tariq, Saeed, Rashid, "
            "Karim, Samir, Nabil, Walid, Hamza, Ibrahim, Majid, Fatima, Layla, Noura, Mariam, "
            "Huda, Rania, Salma, Dina, Amal, Reem"
        ),
        last_names=_split(
            "Al Mansouri, Al Hashimi, Al Qahtani, Al Otaibi, Al Ghamdi, Al Zahrani, Al Shamsi, "
            "Al Falasi, Al Kaabi, Al Marri, Al Suwaidi, Al Harbi, Al Dosari, Haddad, Khoury, "
            "Nasser, Saleh, Hamdan, Darwish, Barakat, Al Sayed, Abdullah, Al Rashid, Mansour, "
            "Youssef, El Masry, Farouk, Al Tamimi"
        ),
        industries=_split(
            "General Trading, Trading, Home Appliances, Electrical Appliances, Electronics, "
            "Household Supplies, Kitchen Equipment, Import & Export, Distribution, Enterprises"
        ),
        legal=("LLC", "Co.", "Est.", "FZE", "FZCO", "W.L.L."),
        family_suffixes=("Brothers", "& Partners", "Sons"),
        local_script="ar",
        local_brands=(
            ("Al Noor", "النور"),
            ("Al Safa", "الصفا"),
            ("Al Manar", "المنار"),
            ("Al Waha", "الواحة"),
            ("Al Fajr", "الفجر"),
            ("Al Amal", "الأمل"),
            ("Al Baraka", "البركة"),
            ("Al Rawda", "الروضة"),
            ("Al Hilal", "الهلال"),
            ("Al Najma", "النجمة"),
            ("Al Khaleej", "الخليج"),
            ("Al Jazeera", "الجزيرة"),
            ("Al Yasmeen", "الياسمين"),
            ("Al Rayan", "الريان"),
            ("Al Majd", "المجد"),
            ("Al Shams", "الشمس"),
            ("Al Zahra", "الزهراء"),
            ("Al Marwa", "المروة"),
            ("Al Qamar", "القمر"),
            ("Al Wafa", "الوفاء"),
            ("Al Diyar", "الديار"),
            ("Al Hamra", "الحمراء"),
            ("Al Multaqa", "الملتقى"),
            ("Al Ittihad", "الاتحاد"),
            ("Al Ameen", "الأمين"),
            ("Al Bustan", "البستان"),
            ("Al Wadi", "الوادي"),
            ("Al Reem", "الريم"),
            ("Al Dana", "الدانة"),
            ("Al Shorouq", "الشروق"),
            ("Al Mansouri", "المنصوري"),
            ("Al Hashimi", "الهاشمي"),
            ("Al Qahtani", "القحطاني"),
            ("Al Otaibi", "العتيبي"),
            ("Al Ghamdi", "الغامدي"),
            ("Al Shamsi", "الشامسي"),
            ("Al Kaabi", "الكعبي"),
            ("Al Suwaidi", "السويدي"),
            ("Al Harbi", "الحربي"),
            ("Al Tamimi", "التميمي"),
            ("Dar Al Salam", "دار السلام"),
            ("Bin Sultan", "بن سلطان"),
        ),
        local_industries=(
            ("General Trading", "للتجارة العامة"),
            ("Trading", "للتجارة"),
            ("Home Appliances", "للأجهزة المنزلية"),
            ("Electrical Appliances", "للأجهزة الكهربائية"),
            ("Electronics", "للإلكترونيات"),
            ("Household Supplies", "للأدوات المنزلية"),
            ("Kitchen Equipment", "لمعدات المطابخ"),
            ("Import & Export", "للاستيراد والتصدير"),
            ("Distribution", "للتوزيع"),
            ("Commercial Agencies", "للوكالات التجارية"),
        ),
        local_native="شركة {brand} {industry}",
        local_share=0.55,
    ),
    "turkish": Style(
        first_names=_split(
            "Mehmet, Mustafa, Ahmet, Ali, Hüseyin, Emre, Burak, Murat, Can, Serkan, Ayşe, "
            "Fatma, Elif, Zeynep, Merve, Selin, Deniz, Ebru"
        ),
        last_names=_split(
            "Yılmaz, Kaya, Demir, Şahin, Çelik, Yıldız, Yıldırım, Öztürk, Aydın, Özdemir, "
            "Arslan, Doğan, Kılıç, Aslan, Çetin, Kurt, Koç, Polat"
        ),
        industries=_split(
            "Ev Aletleri, Elektrikli Ev Aletleri, Dış Ticaret, Elektronik, Mutfak Gereçleri, "
            "Dayanıklı Tüketim, Pazarlama, Ticaret"
        ),
        legal=("Ltd. Şti.", "A.Ş.", "San. ve Tic. Ltd. Şti."),
    ),
    "english": Style(
        first_names=_split(
            "James, John, Michael, David, Robert, William, Richard, Thomas, Daniel, Matthew, "
            "Andrew, Mark, Paul, Steven, Chris, Ryan, Jennifer, Sarah, Emily, Jessica, Laura, "
            "Rachel, Emma, Olivia, Hannah, Karen, Lisa, Amanda, Megan, Claire"
        ),
        last_names=_split(
            "Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, Taylor, "
            "Thomas, Moore, Jackson, Martin, Thompson, White, Harris, Clark, Lewis, Walker, "
            "Hall, Young, King, Wright, Scott, Green, Baker, Adams, Nelson, Carter, Mitchell, "
            "Roberts, Turner, Phillips, Campbell, Parker, Evans, Edwards, Collins, Stewart, "
            "Morris, Murphy, Cook, Rogers, Morgan, Cooper, Peterson, Reed, Bailey, Bell, "
            "Hughes, Ward, Fisher, Harper, Bennett, Palmer, Russell, Griffin, Hayes, Foster"
        ),
        industries=_split(
            "Housewares, Home Products, Appliances, Kitchenware, Home Supply, Distributors, "
            "Imports, Brands, Retail, Consumer Products, Electricals, Home Goods, Wholesale, "
            "Supply, Homeware"
        ),
        legal=("Inc.", "LLC", "Ltd", "Pty Ltd", "Corp.", "Co."),
        family_suffixes=("& Sons", "& Co", "Brothers"),
    ),
    "english_africa": Style(
        first_names=_split(
            "Chinedu, Emeka, Oluwaseun, Tunde, Ibrahim, Musa, Kwame, Kofi, Yaw, Amina, Ngozi, "
            "Chioma, Funmilayo, Abena, Akosua, Wanjiru, Kamau, Otieno, Achieng, Baraka, Neema, "
            "Grace, Joseph, Samuel, Peter, Esther"
        ),
        last_names=_split(
            "Okafor, Adeyemi, Okonkwo, Balogun, Ibrahim, Bello, Mensah, Owusu, Boateng, Asante, "
            "Kamau, Odhiambo, Mwangi, Otieno, Njoroge, Kiprop, Mollel, Mushi, Nnamdi, Eze, "
            "Oyelaran, Agyeman"
        ),
        industries=_split(
            "Home Appliances, Electricals, Trading, General Merchants, Household Products, "
            "Imports, Distribution, Enterprises, Global Ventures, Electronics"
        ),
        legal=("Ltd", "Limited", "Enterprises Ltd", "Nig. Ltd"),
        family_suffixes=("& Sons", "Brothers"),
    ),
    "german": Style(
        first_names=_split(
            "Thomas, Michael, Andreas, Stefan, Markus, Christian, Frank, Jürgen, Matthias, "
            "Tobias, Jan, Florian, Sabine, Petra, Claudia, Andrea, Julia, Katrin, Anna, Laura, "
            "Nicole, Susanne"
        ),
        last_names=_split(
            "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann, "
            "Schäfer, Koch, Bauer, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann, "
            "Braun, Krüger, Hofmann, Hartmann, Lange, Schmitt, Werner, Krause, Meier, Lehmann"
        ),
        industries=_split(
            "Haushaltswaren, Elektro, Hausgeräte, Küchentechnik, Handel, Vertrieb, Import, "
            "Elektrogeräte, Haustechnik, Warenhandel, Küchen & Wohnen"
        ),
        legal=("GmbH", "GmbH & Co. KG", "KG", "AG", "e.K."),
        family_suffixes=("& Söhne", "& Partner"),
    ),
    "french": Style(
        first_names=_split(
            "Jean, Pierre, Philippe, Nicolas, Julien, Thomas, Antoine, Laurent, Olivier, Karim, "
            "Youssef, Marie, Sophie, Camille, Claire, Isabelle, Nathalie, Amélie, Léa, Nadia"
        ),
        last_names=_split(
            "Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, "
            "Simon, Laurent, Lefebvre, Michel, Garcia, Roux, Fournier, Girard, Bonnet, Dupont, "
            "Benali, Amrani, El Idrissi, Bouzid"
        ),
        industries=_split(
            "Électroménager, Distribution, Import Export, Équipement de la Maison, Négoce, "
            "Maison & Cuisine, Commerce, Arts Ménagers"
        ),
        legal=("SARL", "SAS", "SA", "EURL"),
        family_suffixes=("& Fils", "Frères"),
    ),
    "italian": Style(
        first_names=_split(
            "Marco, Luca, Giuseppe, Andrea, Francesco, Alessandro, Matteo, Stefano, Paolo, "
            "Giovanni, Giulia, Francesca, Chiara, Sara, Valentina, Elena, Silvia, Federica"
        ),
        last_names=_split(
            "Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, "
            "Bruno, Gallo, Conti, De Luca, Mancini, Costa, Giordano, Rizzo, Lombardi, Moretti"
        ),
        industries=_split(
            "Elettrodomestici, Casalinghi, Distribuzione, Import Export, Forniture, Commerciale, "
            "Articoli per la Casa"
        ),
        legal=("S.r.l.", "S.p.A.", "S.n.c."),
        family_suffixes=("& Figli", "Fratelli"),
    ),
    "spanish": Style(
        first_names=_split(
            "José, Juan, Carlos, Luis, Miguel, Javier, Alejandro, Diego, Fernando, Andrés, "
            "Ricardo, Pablo, María, Ana, Laura, Carmen, Lucía, Sofía, Gabriela, Valentina, "
            "Daniela, Paula"
        ),
        last_names=_split(
            "García, Rodríguez, Martínez, López, González, Hernández, Pérez, Sánchez, Ramírez, "
            "Torres, Flores, Rivera, Gómez, Díaz, Morales, Ortiz, Castillo, Jiménez, Ruiz, "
            "Vargas, Romero, Herrera, Medina, Castro, Rojas, Navarro"
        ),
        industries=_split(
            "Electrodomésticos, Distribuidora, Importadora, Comercial, Hogar, Suministros, "
            "Artículos para el Hogar, Equipamiento"
        ),
        legal=("S.A. de C.V.", "S.A.", "S.L.", "S.A.S.", "Ltda.", "S.R.L."),
        family_suffixes=("e Hijos", "Hermanos"),
    ),
    "portuguese": Style(
        first_names=_split(
            "João, Pedro, Lucas, Gabriel, Rafael, Bruno, Tiago, Rodrigo, Felipe, Marcelo, Ana, "
            "Mariana, Beatriz, Juliana, Fernanda, Camila, Patrícia, Inês"
        ),
        last_names=_split(
            "Silva, Santos, Oliveira, Souza, Pereira, Costa, Rodrigues, Almeida, Nascimento, "
            "Lima, Araújo, Fernandes, Carvalho, Gomes, Martins, Rocha, Ribeiro, Alves, Ferreira"
        ),
        industries=_split(
            "Eletrodomésticos, Utilidades Domésticas, Distribuidora, Importadora, Comercial, "
            "Casa & Cozinha, Comércio"
        ),
        legal=("Ltda.", "S.A.", "Lda.", "EIRELI"),
        family_suffixes=("& Filhos", "Irmãos"),
    ),
    "dutch": Style(
        first_names=_split(
            "Jan, Pieter, Kees, Bas, Thijs, Joost, Sander, Ruben, Lars, Wouter, Anne, Sanne, "
            "Lotte, Eva, Femke, Inge, Marieke, Lieke"
        ),
        last_names=_split(
            "de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Janssen, Visser, Smit, "
            "Meijer, de Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Leeuwen, Claes, "
            "Peeters, Maes"
        ),
        industries=_split(
            "Huishoudelijke Apparaten, Handelsonderneming, Import, Groothandel, Keukenartikelen, "
            "Distributie, Huishoudartikelen"
        ),
        legal=("B.V.", "N.V.", "BV"),
        family_suffixes=("& Zonen",),
    ),
    "nordic": Style(
        first_names=_split(
            "Erik, Lars, Anders, Johan, Karl, Nils, Magnus, Oskar, Anna, Maria, Karin, Sara, "
            "Emma, Ingrid, Linnea, Frida"
        ),
        last_names=_split(
            "Andersson, Johansson, Karlsson, Nilsson, Eriksson, Larsson, Olsson, Persson, "
            "Svensson, Gustafsson, Pettersson, Lindberg, Lindqvist, Berg"
        ),
        industries=_split("Hushåll, Handel, Import, Elektro, Köksprodukter, Distribution"),
        legal=("AB", "Handelsbolag"),
    ),
    "greek": Style(
        first_names=_split(
            "Georgios, Dimitrios, Konstantinos, Ioannis, Nikolaos, Panagiotis, Christos, Maria, "
            "Eleni, Katerina, Sofia, Anna"
        ),
        last_names=_split(
            "Papadopoulos, Papadakis, Georgiou, Nikolaou, Konstantinou, Dimitriou, Ioannou, "
            "Vlachos, Pappas, Oikonomou, Karagiannis, Makris"
        ),
        industries=_split("Ilektrikes Syskeves, Emporiki, Import Export, Oikiaka Eidi, Diakinisi"),
        legal=("S.A.", "Ltd", "O.E."),
    ),
    "polish": Style(
        first_names=_split(
            "Piotr, Krzysztof, Tomasz, Paweł, Marcin, Michał, Łukasz, Jakub, Anna, Katarzyna, "
            "Magdalena, Agnieszka, Joanna, Monika, Ewa, Aleksandra"
        ),
        last_names=_split(
            "Nowak, Kowalski, Wiśniewski, Wójcik, Kowalczyk, Kamiński, Lewandowski, Zieliński, "
            "Szymański, Woźniak, Dąbrowski, Kozłowski, Jankowski, Mazur"
        ),
        industries=_split("AGD, Handel, Import-Eksport, Dystrybucja, Artykuły Domowe, Hurtownia"),
        legal=("Sp. z o.o.", "S.A.", "Sp.j."),
    ),
    "russian": Style(
        first_names=_split(
            "Alexander, Sergey, Dmitry, Andrey, Alexey, Ivan, Mikhail, Nikolai, Vladimir, "
            "Maxim, Olga, Elena, Tatiana, Natalia, Irina, Svetlana, Anna, Yulia, Marina, Ekaterina"
        ),
        last_names=_split(
            "Ivanov, Smirnov, Kuznetsov, Popov, Vasiliev, Petrov, Sokolov, Mikhailov, Novikov, "
            "Fedorov, Morozov, Volkov, Alekseev, Lebedev, Semenov, Egorov, Pavlov, Kozlov, "
            "Stepanov, Nikolaev, Orlov, Makarov"
        ),
        industries=_split("Trade, Import, Torg, Snab, Tekhnika, Distribution, Group"),
        legal=("LLC", "JSC"),
        local_script="ru",
        local_brands=(
            ("Tekhnotorg", "Техноторг"),
            ("Elektromir", "Электромир"),
            ("Domotekhnika", "Домотехника"),
            ("Teplodom", "Теплодом"),
            ("Sibtorg", "Сибторг"),
            ("Uralsnab", "Уралснаб"),
            ("Volgatorg", "Волгаторг"),
            ("Severnaya Zvezda", "Северная звезда"),
            ("Stolitsa", "Столица"),
            ("Granit", "Гранит"),
            ("Vektor", "Вектор"),
            ("Avangard", "Авангард"),
            ("Kristall", "Кристалл"),
            ("Alfa-Treid", "Альфа-Трейд"),
            ("Profit", "Профит"),
            ("Meridian", "Меридиан"),
            ("Impuls", "Импульс"),
            ("Garant", "Гарант"),
            ("Soyuz", "Союз"),
            ("Orbita", "Орбита"),
            ("Rubin", "Рубин"),
            ("Yantar", "Янтарь"),
            ("Okean", "Океан"),
            ("Optima", "Оптима"),
            ("Lider", "Лидер"),
            ("Sfera", "Сфера"),
            ("Evrazia", "Евразия"),
            ("Baikal", "Байкал"),
            ("Zenit", "Зенит"),
            ("Volna", "Волна"),
            ("Uyut", "Уют"),
            ("Kompleks", "Комплекс"),
        ),
        local_industries=(
            ("", ""),
            ("Import", "Импорт"),
            ("Trade", "Трейд"),
            ("Tekhnika", "Техника"),
            ("Snab", "Снаб"),
            ("Service", "Сервис"),
        ),
        local_native="ООО «{brand}{industry}»",
        local_joiner=" ",
        local_share=0.6,
    ),
    "ukrainian": Style(
        first_names=_split(
            "Oleksandr, Andriy, Serhiy, Dmytro, Mykola, Taras, Olena, Oksana, Iryna, Nataliya, "
            "Kateryna, Yuliya"
        ),
        last_names=_split(
            "Shevchenko, Kovalenko, Bondarenko, Tkachenko, Kravchenko, Oliynyk, Shevchuk, "
            "Polishchuk, Lysenko, Melnyk, Marchenko, Savchenko"
        ),
        industries=_split("Trade, Import, Tekhnika, Distribution, Torg"),
        legal=("LLC", "PJSC"),
    ),
    "czech": Style(
        first_names=_split("Jan, Petr, Tomáš, Martin, Jakub, Lukáš, Jana, Eva, Lucie, Petra"),
        last_names=_split(
            "Novák, Svoboda, Novotný, Dvořák, Černý, Procházka, Kučera, Veselý, Horák, Němec"
        ),
        industries=_split("Elektro, Obchod, Import, Domácí Potřeby, Distribuce"),
        legal=("s.r.o.", "a.s."),
    ),
    "hungarian": Style(
        first_names=_split("László, István, Zoltán, Gábor, Péter, Anna, Katalin, Eszter, Zsófia"),
        last_names=_split("Nagy, Kovács, Tóth, Szabó, Horváth, Varga, Kiss, Molnár, Németh"),
        industries=_split("Háztartási Gépek, Kereskedelmi, Import, Elektro, Nagykereskedés"),
        legal=("Kft.", "Zrt."),
    ),
    "romanian": Style(
        first_names=_split("Andrei, Alexandru, Mihai, Ionuț, Cristian, Ana, Elena, Ioana, Maria"),
        last_names=_split(
            "Popescu, Ionescu, Popa, Stan, Dumitru, Constantin, Stoica, Gheorghe, Munteanu"
        ),
        industries=_split("Electrocasnice, Comerț, Import Export, Distribuție, Articole Casnice"),
        legal=("S.R.L.", "S.A."),
    ),
    "chinese_sea": Style(
        first_names=_split(
            "Wei Ming, Jia Hui, Kok Leong, Boon Heng, Siew Ling, Mei Ling, Kelvin, Jason, Alvin, "
            "Eugene, Rachel, Michelle, Priya, Rajesh, Aisyah, Farid"
        ),
        last_names=_split(
            "Tan, Lim, Lee, Ng, Ong, Wong, Goh, Chua, Chan, Koh, Teo, Ang, Yeo, Tay, Sim, "
            "Kumar, Rahman"
        ),
        industries=_split(
            "Trading, Enterprise, Home Appliances, Electrical, Marketing, Distribution, "
            "Holdings, Supplies"
        ),
        legal=("Pte Ltd", "Pte. Ltd."),
        local_script="zh",
        local_brands=(
            ("Golden Dragon", "金龙"),
            ("Wing Fat", "永发"),
            ("Tai Fung", "泰丰"),
            ("Kam Wah", "金华"),
            ("Man Lee", "万利"),
            ("Fook Hing", "福兴"),
            ("Yuen Fat", "源发"),
            ("Wah Shing", "华盛"),
            ("Po Kwong", "宝光"),
            ("Sun Tak", "新德"),
            ("Fook Sing", "福星"),
            ("Tai Ping", "太平"),
            ("Chun Wo", "俊和"),
            ("Hong Kee", "鸿记"),
            ("Lucky Star", "吉星"),
            ("Hup Seng", "合成"),
            ("Guan Hin", "源兴"),
            ("Seng Huat", "成发"),
        ),
        local_industries=(
            ("Trading", "贸易"),
            ("Electrical", "电器"),
            ("Enterprise", "企业"),
            ("Home Appliances", "家电"),
            ("Industries", "实业"),
        ),
        local_native="{brand}{industry}私人有限公司",
        local_share=0.35,
    ),
    "chinese_hk": Style(
        first_names=_split(
            "Ka Ming, Chi Wai, Wing Kei, Siu Ming, Kwok Leung, Mei Yee, Wai Ling, Kelvin, "
            "Raymond, Eric, Alan, Vincent, Candy, Winnie, Cindy, Joyce"
        ),
        last_names=_split(
            "Chan, Wong, Lee, Cheung, Lau, Ho, Ng, Leung, Lam, Tsang, Chow, Yip, Mak, Kwok, Fung"
        ),
        industries=_split(
            "Trading, Enterprise, Electrical Appliances, Industrial, Household Products, "
            "International, Development, Holdings"
        ),
        legal=("Limited", "Co., Ltd."),
        local_script="zh",
        local_brands=(
            ("Golden Dragon", "金龍"),
            ("Wing Fat", "永發"),
            ("Tai Fung", "泰豐"),
            ("Kam Wah", "金華"),
            ("Man Lee", "萬利"),
            ("Fook Hing", "福興"),
            ("Yuen Fat", "源發"),
            ("Wah Shing", "華盛"),
            ("Po Kwong", "寶光"),
            ("Sun Tak", "新德"),
            ("Fook Sing", "福星"),
            ("Tai Ping", "太平"),
            ("Chun Wo", "俊和"),
            ("Hong Kee", "鴻記"),
            ("Kwong Fat", "廣發"),
            ("Wing Shing", "永成"),
            ("Tung Hing", "東興"),
            ("Sun Hing", "新興"),
            ("Lung Cheong", "龍昌"),
            ("Yick Fung", "益豐"),
            ("Kin Wah", "建華"),
            ("Cheung Kee", "祥記"),
            ("Shun Tai", "順泰"),
            ("Wai Kee", "偉記"),
        ),
        local_industries=(
            ("Trading", "貿易"),
            ("Electrical Appliances", "電器"),
            ("Enterprise", "企業"),
            ("Industrial", "實業"),
            ("Household Products", "家居用品"),
            ("Import & Export", "進出口"),
        ),
        local_native="{brand}{industry}有限公司",
        local_share=0.7,
    ),
    "chinese_tw": Style(
        first_names=_split(
            "Chih-Ming, Chia-Hao, Wen-Hsiung, Yu-Ting, Shu-Fen, Mei-Hua, Hsin-Yi, Kevin, "
            "Jerry, Tony, Amy, Grace, Tina"
        ),
        last_names=_split("Chen, Lin, Huang, Chang, Lee, Wang, Wu, Liu, Tsai, Yang, Hsu, Cheng"),
        industries=_split("Trading, Enterprise, Electric, Industrial, Home Products, Co-op"),
        legal=("Co., Ltd.", "Corp."),
        local_script="zh",
        local_brands=(
            ("Da Tung", "大同"),
            ("Sheng Feng", "盛豐"),
            ("Hua Mei", "華美"),
            ("Tai Yang", "太陽"),
            ("Chin Lung", "金龍"),
            ("Hsin Yi", "信義"),
            ("Kuo Hua", "國華"),
            ("Chung Hsing", "中興"),
            ("Yung Feng", "永豐"),
            ("Fu Kuei", "富貴"),
            ("Ho Ping", "和平"),
            ("Tien Hsiang", "天祥"),
            ("Jui Li", "瑞利"),
            ("Hsieh Ho", "協和"),
            ("San Yang", "三陽"),
        ),
        local_industries=(
            ("Trading", "貿易"),
            ("Electric", "電機"),
            ("Enterprise", "企業"),
            ("Industrial", "實業"),
            ("Home Products", "家居"),
        ),
        local_native="{brand}{industry}股份有限公司",
        local_share=0.7,
    ),
    "malay": Style(
        first_names=_split(
            "Ahmad, Muhammad, Hafiz, Azman, Faizal, Siti, Nurul, Aisyah, Farah, Wei Jie, "
            "Kok Wai, Mei Ling, Suresh, Kavitha"
        ),
        last_names=_split(
            "bin Abdullah, bin Ismail, binti Hassan, bin Othman, Tan, Lim, Lee, Wong, Ng, "
            "Chong, Krishnan, Subramaniam"
        ),
        industries=_split(
            "Trading, Enterprise, Elektrik, Home Appliances, Marketing, Distributors, Industries"
        ),
        legal=("Sdn Bhd", "Sdn. Bhd.", "Enterprise"),
        local_script="zh",
        local_brands=(
            ("Hup Seng", "合成"),
            ("Guan Hin", "源兴"),
            ("Seng Huat", "成发"),
            ("Kim Hock", "金福"),
            ("Soon Lee", "顺利"),
            ("Kwong Hing", "广兴"),
            ("Tai Sin", "泰新"),
            ("Heng Fatt", "兴发"),
            ("Leong Bee", "良美"),
        ),
        local_industries=(("Trading", "贸易"), ("Electrical", "电器"), ("Enterprise", "企业")),
        local_native="{brand}{industry}有限公司",
        local_share=0.25,
    ),
    "thai": Style(
        first_names=_split(
            "Somchai, Somsak, Anan, Prasert, Wichai, Niran, Kittipong, Siriporn, Malee, "
            "Suda, Nattaya, Pimchanok, Ploy"
        ),
        last_names=_split(
            "Saetang, Srisuk, Wongsawat, Chaiyaporn, Rattanakorn, Thongchai, Boonmee, "
            "Kaewkan, Suksawat, Phromma"
        ),
        industries=_split("Trading, Electric, Home Appliance, Supply, Marketing, Intertrade"),
        legal=("Co., Ltd.", "Public Co., Ltd."),
        local_script="th",
        local_brands=(
            ("Siam", "สยาม"),
            ("Thai Charoen", "ไทยเจริญ"),
            ("Sombat", "สมบัติ"),
            ("Rung Rueang", "รุ่งเรือง"),
            ("Chokchai", "โชคชัย"),
            ("Sri Thai", "ศรีไทย"),
        ),
        local_industries=(
            ("Trading", "เทรดดิ้ง"),
            ("Electric", "อีเลคทริค"),
            ("Supply", "ซัพพลาย"),
        ),
        local_native="บริษัท {brand} {industry} จำกัด",
        local_share=0.3,
    ),
    "vietnamese": Style(
        first_names=_split(
            "Minh, Hùng, Dũng, Tuấn, Hải, Long, Nam, Thảo, Lan, Hương, Linh, Trang, Mai, Ngọc"
        ),
        last_names=_split("Nguyễn, Trần, Lê, Phạm, Hoàng, Huỳnh, Phan, Vũ, Võ, Đặng, Bùi, Đỗ"),
        industries=_split(
            "Trading, Home Appliances, Electrical, Import Export, Distribution, Commercial"
        ),
        legal=("Co., Ltd.", "JSC", "Trading Co., Ltd."),
    ),
    "indonesian": Style(
        first_names=_split(
            "Budi, Agus, Hendra, Andi, Rudi, Joko, Dewi, Sri, Ratna, Putri, Indah, Wati, "
            "Yohanes, Kevin, Lina"
        ),
        last_names=_split(
            "Santoso, Wijaya, Saputra, Gunawan, Setiawan, Halim, Kusuma, Hidayat, Susanto, "
            "Tanoto, Pratama, Nugroho"
        ),
        industries=_split(
            "Elektronik, Perkasa, Makmur, Sejahtera, Abadi, Jaya, Mandiri, Sentosa, Trading"
        ),
        legal=("PT", "CV"),
    ),
    "filipino": Style(
        first_names=_split(
            "Jose, Mark, John Paul, Christian, Ramon, Miguel, Maria, Kristine, Angelica, "
            "Joanna, Liza, Camille"
        ),
        last_names=_split(
            "Santos, Reyes, Cruz, Bautista, Ocampo, Garcia, Mendoza, Torres, Tan, Dela Cruz, "
            "Aquino, Villanueva"
        ),
        industries=_split(
            "Trading, Appliance Center, Home Depot, Marketing, Enterprises, Distributors"
        ),
        legal=("Inc.", "Corp.", "Co."),
    ),
    "japanese": Style(
        first_names=_split(
            "Hiroshi, Takashi, Kenji, Satoshi, Daisuke, Yuki, Kenta, Shota, Akiko, Yoko, "
            "Naoko, Keiko, Ayumi, Haruka, Mai"
        ),
        last_names=_split(
            "Sato, Suzuki, Takahashi, Tanaka, Watanabe, Ito, Yamamoto, Nakamura, Kobayashi, "
            "Kato, Yoshida, Yamada, Sasaki, Matsumoto, Inoue"
        ),
        industries=_split("Shoji, Bussan, Denki, Boeki, Kaden, Trading"),
        legal=("Co., Ltd.", "K.K.", "Corporation"),
        local_script="ja",
        local_brands=(
            ("Sakura", "さくら"),
            ("Fuji", "富士"),
            ("Yamato", "大和"),
            ("Asahi", "朝日"),
            ("Taiyo", "太陽"),
            ("Heiwa", "平和"),
            ("Daiichi", "第一"),
            ("Tokai", "東海"),
            ("Kansai", "関西"),
            ("Hikari", "光"),
            ("Midori", "みどり"),
            ("Aoba", "青葉"),
            ("Kyoei", "共栄"),
            ("Shinwa", "新和"),
            ("Toyo", "東洋"),
            ("Chuo", "中央"),
            ("Meiwa", "明和"),
            ("Sanwa", "三和"),
            ("Seiwa", "清和"),
            ("Nisshin", "日進"),
        ),
        local_industries=(
            ("Shoji", "商事"),
            ("Bussan", "物産"),
            ("Denki", "電機"),
            ("Boeki", "貿易"),
            ("Kaden", "家電"),
            ("Sangyo", "産業"),
        ),
        local_native="{brand}{industry}株式会社",
        local_share=0.8,
    ),
    "korean": Style(
        first_names=_split(
            "Min-jun, Ji-hoon, Seung-woo, Hyun-woo, Dong-hyun, Ji-woo, Seo-yeon, Min-ji, "
            "Soo-jin, Eun-ji, Hye-jin, Yuna"
        ),
        last_names=_split("Kim, Lee, Park, Choi, Jung, Kang, Cho, Yoon, Jang, Lim, Han, Shin"),
        industries=_split("Trading, Tech, Electronics, Living, Corporation, Commerce"),
        legal=("Co., Ltd.", "Inc."),
        local_script="ko",
        local_brands=(
            ("Hanil", "한일"),
            ("Daesung", "대성"),
            ("Samil", "삼일"),
            ("Dongyang", "동양"),
            ("Saehan", "새한"),
            ("Hanmi", "한미"),
            ("Daehan", "대한"),
            ("Sejin", "세진"),
            ("Woori", "우리"),
            ("Hanbit", "한빛"),
            ("Mirae", "미래"),
            ("Jinro", "진로"),
        ),
        local_industries=(
            ("Trading", "무역"),
            ("Electronics", "전자"),
            ("Living", "리빙"),
            ("Commerce", "상사"),
            ("Industrial", "산업"),
        ),
        local_native="{brand}{industry} 주식회사",
        local_share=0.6,
    ),
    "indian": Style(
        first_names=_split(
            "Rajesh, Amit, Suresh, Vikram, Rahul, Sanjay, Anil, Arjun, Rohit, Karthik, Priya, "
            "Anjali, Neha, Pooja, Kavita, Deepa, Sunita, Meera"
        ),
        last_names=_split(
            "Sharma, Patel, Shah, Mehta, Gupta, Agarwal, Reddy, Iyer, Nair, Singh, Kapoor, "
            "Malhotra, Jain, Desai, Rao, Bansal, Chopra, Kumar, Joshi, Verma"
        ),
        industries=_split(
            "Enterprises, Home Appliances, Electricals, Trading Company, Marketing, "
            "Distributors, Industries, Overseas, Impex, Agencies"
        ),
        legal=("Pvt. Ltd.", "Private Limited", "LLP", "& Co."),
        family_suffixes=("& Sons", "Brothers"),
    ),
    "pakistani": Style(
        first_names=_split(
            "Muhammad, Ali, Usman, Bilal, Imran, Faisal, Asad, Hamza, Ayesha, Sana, Fatima, "
            "Hina, Zainab"
        ),
        last_names=_split(
            "Khan, Ahmed, Malik, Qureshi, Sheikh, Butt, Chaudhry, Siddiqui, Raza, Hussain, "
            "Mirza, Iqbal"
        ),
        industries=_split(
            "Traders, Enterprises, Electronics, Home Appliances, Impex, Corporation, Sons"
        ),
        legal=("(Pvt.) Ltd.", "& Co."),
        family_suffixes=("& Sons", "Brothers"),
    ),
    "bangladeshi": Style(
        first_names=_split(
            "Mohammad, Abdul, Rafiq, Kamal, Jamal, Tanvir, Shakil, Nasrin, Farhana, Sharmin, "
            "Tahmina"
        ),
        last_names=_split(
            "Rahman, Hossain, Islam, Ahmed, Chowdhury, Uddin, Alam, Haque, Karim, Sarker"
        ),
        industries=_split("Trading, Enterprise, Electronics, Corporation, Traders, Impex"),
        legal=("Ltd.", "Limited"),
        family_suffixes=("& Brothers",),
    ),
    "srilankan": Style(
        first_names=_split(
            "Nuwan, Chaminda, Kasun, Ruwan, Dinesh, Lakshman, Nadeesha, Dilani, Sanduni, Thilini"
        ),
        last_names=_split(
            "Perera, Fernando, de Silva, Jayasinghe, Wickramasinghe, Gunawardena, Bandara, "
            "Dissanayake, Rajapaksa, Herath"
        ),
        industries=_split("Trading, Enterprises, Electricals, Home Appliances, Marketing"),
        legal=("(Pvt) Ltd", "PLC"),
    ),
}

# --- People at the customers -----------------------------------------------------------------

# (title, role in buying, weight when the contact is primary, weight otherwise)
TITLES = [
    ("Managing Director", "decision_maker", 6, 1),
    ("CEO", "decision_maker", 4, 0.5),
    ("Owner", "decision_maker", 5, 0.5),
    ("General Manager", "decision_maker", 4, 1),
    ("Purchasing Manager", "buyer", 8, 4),
    ("Import Manager", "buyer", 5, 3),
    ("Head of Procurement", "buyer", 3, 2),
    ("Buyer", "buyer", 3, 5),
    ("Category Manager, Small Appliances", "buyer", 3, 3),
    ("Sourcing Director", "buyer", 2, 1),
    ("Product Manager", "influencer", 1, 4),
    ("Sales Director", "influencer", 1, 3),
    ("Marketing Manager", "influencer", 0.5, 2),
    ("Quality Manager", "technical", 0.5, 3),
    ("Technical Manager", "technical", 0.3, 2),
    ("Finance Manager", "finance", 0.3, 2),
    ("Accounts Payable", "finance", 0, 1.5),
    ("Logistics Coordinator", "logistics", 0.2, 3),
    ("Shipping Manager", "logistics", 0.2, 2),
    ("Assistant", "other", 0, 1),
]

# Role-based mailboxes ("purchasing@...") some companies give instead of a person's address.
ROLE_MAILBOXES = {
    "decision_maker": "info",
    "buyer": "purchasing",
    "influencer": "sales",
    "technical": "qc",
    "finance": "accounts",
    "logistics": "logistics",
    "other": "office",
}

GLOBAL_FREE_MAIL = ("gmail.com", "gmail.com", "yahoo.com", "hotmail.com", "outlook.com")
CHINESE_FREE_MAIL = ("qq.com", "163.com", "126.com")

# --- Tags ------------------------------------------------------------------------------------

PRODUCT_TAGS = [
    ("kettles", 10),
    ("small appliances", 12),
    ("rice cookers", 4),
    ("air fryers", 6),
    ("blenders", 4),
    ("coffee makers", 4),
    ("toasters", 3),
    ("steam irons", 3),
    ("electric fans", 3),
    ("space heaters", 2),
    ("hand mixers", 2),
    ("vacuum cleaners", 2),
]
EVENT_TAGS = [
    ("trade fair Canton 2025", 10),
    ("trade fair Canton 2024", 6),
    ("trade fair Canton 2023", 3),
    ("trade fair IFA Berlin 2025", 3),
    ("trade fair Ambiente 2025", 3),
    ("trade fair HKTDC 2025", 4),
    ("trade fair Gitex 2024", 2),
]
ACCOUNT_TAGS = [
    ("private label", 5),
    ("OEM", 4),
    ("price sensitive", 5),
    ("samples sent", 5),
    ("exclusive distributor", 2),
    ("e-commerce seller", 4),
]
KEY_ACCOUNT_TAG = "key account"
# Certification tags by country: what the market demands.
CERTIFICATION_TAGS = {
    "SA": "SASO required",
    "GB": "UKCA required",
    "US": "UL required",
    "CA": "CSA required",
    "AU": "SAA required",
    "NZ": "SAA required",
    "KZ": "EAC required",
    "RU": "EAC required",
    "IN": "BIS required",
}
EU_COUNTRIES = {"DE", "FR", "IT", "ES", "NL", "BE", "SE", "PT", "AT", "IE", "GR", "PL", "CZ", "HU",
                "RO"}  # fmt: skip
EU_TAG = "CE required"

# --- Trade terms -----------------------------------------------------------------------------

PAYMENT_TERMS = {
    "deposit": "T/T 30% deposit, 70% before shipment",
    "deposit_bl": "T/T 30% deposit, 70% against copy of B/L",
    "advance": "T/T 100% in advance",
    "lc": "L/C at sight",
    "lc60": "L/C 60 days",
    "dp": "D/P at sight",
    "oa30": "O/A 30 days",
    "oa60": "O/A 60 days",
}

# Payment terms by territory for tiers A, B and C: (key, weight) lists.
TERMS_BY_REGION = {
    "default": {
        "A": [("deposit_bl", 3), ("lc", 2), ("oa60", 2), ("oa30", 1)],
        "B": [("deposit", 4), ("deposit_bl", 3), ("lc", 2), ("dp", 1)],
        "C": [("deposit", 6), ("advance", 3), ("lc", 1)],
    },
    "Western Europe": {
        "A": [("oa60", 5), ("oa30", 3), ("deposit_bl", 1)],
        "B": [("oa30", 3), ("deposit_bl", 4), ("dp", 1)],
        "C": [("deposit", 5), ("deposit_bl", 3), ("advance", 1)],
    },
    "North America": {
        "A": [("oa60", 5), ("oa30", 3)],
        "B": [("oa30", 3), ("deposit_bl", 4)],
        "C": [("deposit", 5), ("deposit_bl", 3)],
    },
    "Oceania": {
        "A": [("oa60", 3), ("oa30", 3), ("deposit_bl", 1)],
        "B": [("deposit_bl", 4), ("oa30", 2)],
        "C": [("deposit", 5), ("deposit_bl", 2)],
    },
    "Africa": {
        "A": [("lc", 4), ("lc60", 2), ("deposit_bl", 2)],
        "B": [("lc", 4), ("deposit", 4), ("dp", 1)],
        "C": [("deposit", 5), ("advance", 4), ("lc", 2)],
    },
    "Latin America": {
        "A": [("lc", 3), ("deposit_bl", 3), ("oa60", 1)],
        "B": [("lc", 3), ("deposit", 4), ("dp", 2)],
        "C": [("deposit", 6), ("advance", 3)],
    },
    "South Asia": {
        "A": [("lc", 5), ("lc60", 2), ("deposit_bl", 1)],
        "B": [("lc", 5), ("deposit", 3)],
        "C": [("lc", 3), ("deposit", 4), ("advance", 2)],
    },
}

# Incoterms by territory: (term, weight).
INCOTERMS_BY_REGION = {
    "default": [("FOB", 8), ("CIF", 4), ("CFR", 2), ("EXW", 1)],
    "Western Europe": [("FOB", 8), ("CIF", 2), ("DDP", 1), ("EXW", 1), ("FCA", 1)],
    "North America": [("FOB", 10), ("DDP", 2), ("EXW", 1)],
    "Africa": [("CIF", 6), ("CFR", 3), ("FOB", 3)],
    "Middle East": [("CIF", 4), ("FOB", 6), ("CFR", 2), ("EXW", 1)],
    "Latin America": [("FOB", 5), ("CIF", 5), ("CFR", 2)],
    "Eastern Europe": [("FOB", 5), ("CIF", 2), ("FCA", 2), ("DAP", 2), ("EXW", 1)],
}

TYPES = [("importer", 35), ("distributor", 30), ("dealer", 20), ("retailer", 10), ("brand", 5)]
TIERS = [("A", 10), ("B", 30), ("C", 60)]
STATUSES = {
    "A": [("active", 75), ("dormant", 8), ("won_back", 12), ("lost", 3), ("prospect", 2)],
    "B": [("active", 55), ("dormant", 15), ("won_back", 8), ("lost", 7), ("prospect", 15)],
    "C": [("active", 30), ("dormant", 18), ("won_back", 4), ("lost", 13), ("prospect", 35)],
}
SOURCES = [
    ("trade_fair", 30),
    ("website", 14),
    ("marketplace", 18),
    ("referral", 10),
    ("outreach", 15),
    ("agent", 8),
    ("other", 5),
]

NOTES = [
    "Met at our booth at the Canton Fair; wants a {product} range for next season.",
    "Asked for a quotation on {product} with their own logo.",
    "Prefers WhatsApp for quick questions; formal orders by email.",
    "Slow payer in the past; keep to deposit terms.",
    "Visits the factory once a year, usually in spring.",
    "Compares our {product} prices with two other suppliers.",
    "Needs certification documents with every shipment.",
    "Orders a mixed container of {product} and spare parts.",
    "Interested in exclusive distribution for their country.",
    "Sample of the new {product} sent; waiting for feedback.",
]

# The stories' lots (a complaint wave, cartons found next door) are of the last half year's
# production: a fresh lot, and a big book's history of lines is not read.
RECENT_LOT_DAYS = 183
