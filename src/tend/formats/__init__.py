"""Tend's own date formats per language (Django's FORMAT_MODULE_PATH): a day is written with its
weekday, as people say it — "Saturday 5 December 2026", "2026年12月5日 星期六"."""
