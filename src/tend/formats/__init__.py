"""Tend's own date formats per language (Django's FORMAT_MODULE_PATH): in tables a short day
("4 Dec 2026", "2026年12月4日"), in headings the day with its weekday ("Saturday 5 December 2026",
"2026年12月5日 星期六") through ``LONG_DAY_FORMAT`` and the ``long_day`` filter."""
