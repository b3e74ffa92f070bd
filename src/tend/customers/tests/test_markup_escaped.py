"""Names people type come back as text, never as markup: the referral suggestions."""

from tend.customers.models import Customer

HOSTILE = '"><img src=x onerror=alert(1)><script>alert(1)</script>'


def test_referral_suggestions_escape_a_customer_name_with_markup(client, rep1, book):
    Customer.objects.filter(pk=book["rep1_owned"].pk).update(
        name=HOSTILE, search_text=HOSTILE.lower()
    )
    client.force_login(rep1)
    response = client.get("/customers/lookup/", {"referred_by_text": "onerror"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>" not in html
    assert "<img" not in html
    assert html.strip() == (
        '<option value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(1)'
        f'&lt;/script&gt; (#{book["rep1_owned"].pk})"></option>'
    )
