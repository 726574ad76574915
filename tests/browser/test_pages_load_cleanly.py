"""Every page of the journey loads without a failed request or a console error,
the favicon included."""

from flockgov.tasks import heartbeat
from tests.browser.conftest import sign_in


def test_it_loads_every_page_without_failed_requests(page, alice, reads):
    failures: list[str] = []
    page.on(
        "response",
        lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on(
        "console",
        lambda m: failures.append(f"console {m.text}") if m.type == "error" else None,
    )
    sign_in(page, alice)
    page.wait_for_url("**/search/")
    page.goto("/searches/mine/")
    heartbeat()  # otherwise the health page rightly answers 503
    page.goto("/health/")
    page.goto("/search/")
    icon = page.get_attribute("link[rel=icon]", "href")
    assert icon == "/static/favicon.svg"
    response = page.request.get(icon)
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert failures == []
