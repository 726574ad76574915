"""Accessibility basics of the search and audit pages: every control has a
label, every table a caption and column headers with scope, the page a language
and the favicon its link."""

from html.parser import HTMLParser


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.controls: list[str] = []
        self.labels: set[str] = set()
        self.headers_without_scope = 0
        self.tables = 0
        self.captions = 0
        self.html_lang = ""
        self.icons: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang", "")
        elif tag == "link" and attrs.get("rel") == "icon":
            self.icons.append(attrs.get("href", ""))
        elif tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        elif tag in {"input", "select", "textarea"}:
            if attrs.get("type") not in {"hidden", "submit", "checkbox"}:
                self.controls.append(
                    attrs.get("id", f"<{tag} name={attrs.get('name')}>")
                )
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1
        elif tag == "th" and attrs.get("scope") not in {"col", "row"}:
            self.headers_without_scope += 1


def _check(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    assert page.html_lang == "en"
    assert page.icons == ["/static/favicon.svg"]
    unlabelled = [c for c in page.controls if c not in page.labels]
    assert unlabelled == []
    assert page.headers_without_scope == 0
    assert page.captions == page.tables
    return page


def test_it_labels_the_search_form_and_its_results(alice_client, reads, valid_search):
    page = _check(alice_client.post("/search/", valid_search).content.decode())
    assert page.tables == 1
    assert {"id_purpose", "id_plate", "id_cameras", "id_justification"} <= set(
        page.controls
    )
    _check(alice_client.get("/searches/mine/").content.decode())


def test_it_labels_the_audit_trail_filters_and_table(carol_client):
    page = _check(carol_client.get("/audit/").content.decode())
    assert page.tables == 1
    assert {"id_officer", "id_purpose", "id_date_from", "id_date_to"} <= set(
        page.controls
    )
