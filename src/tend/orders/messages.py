"""Customer-facing wording for order updates, in the contact's language (English and Chinese
to start). Plain text: it goes by email, WhatsApp or WeChat alike."""

from datetime import date

TEMPLATES = {
    "en": {
        "delay_subject": "Update on your order {number}: new ship date {new_date}",
        "delay_body": (
            "Dear {name},\n\n"
            "We want to tell you before you have to ask: your order {number} will not ship on "
            "{old_date} as promised. The new expected ship date is {new_date}.\n\n"
            "Reason: {reason}\n\n"
            "We are sorry for the delay and will keep you informed until it ships. "
            "Please tell us if this date causes you a problem, so we can look for a solution "
            "together.\n\nBest regards,\n{sender}"
        ),
        "disruption_subject": "{title}: how it affects your orders",
        "disruption_body": (
            "Dear {name},\n\n{description}\n\nYour orders affected:\n{order_lines}\n\n"
            "We will keep you informed. Please tell us which of these orders matter most to "
            "you, and we will prioritise them.\n\nBest regards,\n{sender}"
        ),
        "order_line": "- {number}: was to ship {old_date}, now expected {new_date}",
        "unknown_date": "not yet known",
    },
    "zh": {
        "delay_subject": "关于您的订单 {number} 的最新消息：新的出货日期为 {new_date}",
        "delay_body": (
            "尊敬的{name}：\n\n"
            "我们想在您询问之前主动告知：您的订单 {number} 无法按原定的 {old_date} 出货。"
            "新的预计出货日期为 {new_date}。\n\n"
            "原因：{reason}\n\n"
            "对于延误我们深表歉意，在货物出运之前我们会持续向您通报进展。"
            "如果这个日期给您带来不便，请告诉我们，我们一起寻找解决办法。\n\n此致\n{sender}"
        ),
        "disruption_subject": "{title}：对您订单的影响",
        "disruption_body": (
            "尊敬的{name}：\n\n{description}\n\n受影响的订单：\n{order_lines}\n\n"
            "我们会随时向您通报进展。请告诉我们哪些订单对您最重要，我们将优先安排。\n\n此致\n{sender}"
        ),
        "order_line": "- {number}：原定 {old_date} 出货，现预计 {new_date}",
        "unknown_date": "待定",
    },
}


# Each language by its own name, as the preview shows which one a message is in.
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}


def language_for(code: str) -> str:
    return code if code in TEMPLATES else "en"


def fmt_date(value: date | None, language: str) -> str:
    if value is None:
        return TEMPLATES[language]["unknown_date"]
    return value.isoformat()


def render(language: str, key: str, **values) -> str:
    return TEMPLATES[language_for(language)][key].format(**values)
