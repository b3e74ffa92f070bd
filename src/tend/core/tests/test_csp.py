"""Every response carries the Content-Security-Policy, the admin and the API docs included."""

import pytest

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/today/", "/customers/", "/admin/", "/api/v1/docs"]
)
def test_every_page_forbids_inline_script(client, admin_user, path):
    if path != "/accounts/login/":
        client.force_login(admin_user)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == POLICY


def test_pages_use_no_inline_script_and_no_eval_in_htmx(client, rep1):
    client.force_login(rep1)
    html = client.get("/today/").content.decode()
    assert (
        '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false, '
        '"allowEval": false, "allowScriptTags": false}\'>'
    ) in html
    assert '<script src="/static/tend/app.js" defer></script>' in html
