"""After a step-up: back to the page that held the form, told to submit again,
and nothing carried out on the person's behalf."""

import time_machine

from accounts.models import AccountStatus
from accounts.stepup import PENDING_KEY
from tests.accounts.conftest import signed_in
from tests.conftest import current_code

NOW = "2026-12-04 15:00Z"


def test_it_returns_to_the_page_of_a_post_only_form_and_says_to_submit_again(
    dave, carol, frank
):
    with time_machine.travel(NOW, tick=False) as traveller:
        client = signed_in(carol)
        traveller.shift(16 * 60)
        page = f"/accounts/manage/{frank.pk}/"
        response = client.post(
            f"/accounts/manage/{frank.pk}/activate/",
            {"reason": "Training done"},
            HTTP_REFERER=f"http://testserver{page}",
        )
        assert response["Location"].startswith("/accounts/step-up/")
        assert client.session[PENDING_KEY]["data"] == {"reason": ["Training done"]}
        back = client.post(
            response["Location"], {"token": current_code(carol)}, follow=True
        )
    # The form's target answers POST only; the person lands on the page instead.
    assert back.status_code == 200
    assert back.redirect_chain == [(page, 302)]
    assert (
        "Your code was accepted; submit the form again to change the account."
        in back.content.decode()
    )
    frank.refresh_from_db()
    assert frank.status == AccountStatus.PENDING


def test_it_ignores_a_referer_from_another_site(dave, carol, frank):
    with time_machine.travel(NOW, tick=False) as traveller:
        client = signed_in(carol)
        traveller.shift(16 * 60)
        response = client.post(
            f"/accounts/manage/{frank.pk}/activate/",
            {},
            HTTP_REFERER="https://evil.example/phish",
        )
    assert "evil.example" not in response["Location"]
    assert response["Location"].endswith(
        f"next=%2Faccounts%2Fmanage%2F{frank.pk}%2Factivate%2F"
    )
