"""Settings (the admin): playbook rules are edited with their steps inline; snapshots and score
runs are for looking up, never for editing."""

from tend.health.models import PlaybookRule

from .snapshots import score_run, snapshot


def test_an_admin_edits_a_playbook_rule_with_its_steps(client, admin_user, db):
    rule = PlaybookRule.objects.first()
    client.force_login(admin_user)
    page = client.get(f"/admin/health/playbookrule/{rule.pk}/change/").content.decode()
    assert 'name="steps-TOTAL_FORMS"' in page
    step = rule.steps.first()
    assert f'value="{step.title}"' in page


def test_an_admin_adds_a_rule_and_its_step_in_one_form(client, admin_user, db):
    client.force_login(admin_user)
    response = client.post(
        "/admin/health/playbookrule/add/",
        {
            "name": "Channel conflict: manager reviews",
            "cause": "channel",
            "signal": "",
            "min_level": "medium",
            "tiers": "",
            "cooldown_days": 30,
            "active": "on",
            "steps-TOTAL_FORMS": 1,
            "steps-INITIAL_FORMS": 0,
            "steps-0-kind": "review",
            "steps-0-assignee": "manager",
            "steps-0-due_in_days": 2,
            "steps-0-title": "Review the territory",
        },
    )
    assert response.status_code == 302
    rule = PlaybookRule.objects.get(name="Channel conflict: manager reviews")
    assert list(rule.steps.values_list("kind", "assignee", "title")) == [
        ("review", "manager", "Review the territory")
    ]


def test_snapshots_and_runs_are_read_only(client, admin_user, book):
    shot = snapshot(book["rep1_owned"], risk=0.6)
    run = score_run()
    client.force_login(admin_user)
    assert client.get("/admin/health/healthsnapshot/").status_code == 200
    assert client.get("/admin/health/scorerun/").status_code == 200
    assert client.get("/admin/health/healthsnapshot/add/").status_code == 403
    assert client.get(f"/admin/health/scorerun/{run.pk}/delete/").status_code == 403
    client.post(f"/admin/health/healthsnapshot/{shot.pk}/change/", {"risk": 0.1})
    shot.refresh_from_db()
    assert shot.risk == 0.6
