"""The HTTP bench's rounds: every answer POST is sent in one round only, so that each commits."""

from bench.http import Load, _share


def test_each_round_takes_its_own_answer_posts_and_repeats_the_pages():
    posts = Load(tuple(("POST", f"/attempts/a/{n}", "") for n in range(10)), "c=1", 302)
    shares = [_share(posts, n, 3) for n in range(3)]
    sent = [request for share in shares for request in share.requests]
    assert len(sent) == len(set(sent)) == 9
    assert all(len(share.requests) == 3 for share in shares)
    page = Load((("GET", "/attempts/a/1", ""),), "c=1", 200)
    assert all(_share(page, n, 3) == page for n in range(3))
