DATE_FORMAT = "Y年n月j日"
# A day as a heading says it, with its weekday (core.templatetags.days.long_day).
LONG_DAY_FORMAT = "Y年n月j日 l"
