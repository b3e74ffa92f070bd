DATE_FORMAT = "j M Y"
# A day as a heading says it, with its weekday (core.templatetags.days.long_day).
LONG_DAY_FORMAT = "l j F Y"
