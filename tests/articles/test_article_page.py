"""A learner follows a source link to an article and finds the section, and what cites it."""


def test_article_shows_its_source_and_every_section_with_its_anchor(client):
    html = client.get("/articles/sample-article").get_data(as_text=True)
    assert "<h1>A sample article</h1>" in html
    assert "The test suite" in html and "How to read this source" in html
    for section_id in ("first", "detail", "second"):
        assert f'<section id="{section_id}"' in html
    assert '<h3 id="detail-title">A detail</h3>' in html
    assert "<em>grass</em>" in html


def test_raw_html_in_an_article_is_shown_as_text(client):
    html = client.get("/articles/sample-article").get_data(as_text=True)
    assert '<script>alert("raw html")' not in html
    assert "&lt;script&gt;" in html


def test_each_section_lists_the_statements_that_cite_it(client):
    html = client.get("/articles/sample-article").get_data(as_text=True)
    second = html[html.index('<section id="second"') :]
    assert "Cited by 4 statements" in second
    assert "“Grass is green.”" in second
    assert 'href="/quizzes/sample-quiz">A sample quiz</a>' in second


def test_an_unknown_article_is_404(client):
    assert client.get("/articles/no-such-article").status_code == 404
