DATE_FORMAT = "Y年n月j日"
# A day as a heading says it, with its weekday (core.templatetags.days.long_day).
LONG_DAY_FORMAT = "Y年n月j日 l"
# Amounts in business Chinese are grouped by thousands, as on an invoice: 15,310.17.
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
