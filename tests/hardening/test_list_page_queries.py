"""List pages cost the same number of queries whatever they list."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.context import Actor
from queries.criteria import validate
from queries.services import perform_search


def _searches(alice, valid_search, camera, n: int) -> None:
    criteria = validate(
        **{**valid_search, "window_start": None, "window_end": None},
        camera_ids=[camera.pk],
    )
    for _ in range(n):
        perform_search(actor=Actor.for_officer(alice), criteria=criteria)


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_it_reads_the_trail_in_a_fixed_number_of_queries(
    alice, carol_client, camera, valid_search
):
    _searches(alice, valid_search, camera, 3)
    few = _queries(carol_client, "/audit/")
    _searches(alice, valid_search, camera, 40)
    many = _queries(carol_client, "/audit/")
    assert many == few
    assert many <= 20


def test_it_lists_my_searches_in_a_fixed_number_of_queries(
    alice, alice_client, camera, valid_search
):
    _searches(alice, valid_search, camera, 3)
    few = _queries(alice_client, "/searches/mine/")
    _searches(alice, valid_search, camera, 40)
    assert _queries(alice_client, "/searches/mine/") == few
