"""Issue 14: the help page asks where the reader is first, and names each line's country."""


def test_without_a_region_the_page_asks_first_and_names_each_lines_country(forms):
    page = forms.get("/help/").get_data(as_text=True)
    asked = page.index('id="region-heading"')
    directory = page.index("Find A Helpline")
    samaritans = page.index("Samaritans")
    assert asked < directory < samaritans < page.index("About these numbers")
    assert 'Samaritans <span class="serves">United Kingdom</span>' in page
    assert '988 Suicide &amp; Crisis Lifeline <span class="serves">United States</span>' in page
    assert (
        'Frank <span class="serves">United Kingdom</span>' in page
        and 'href="tel:+443001236600"' in page
    )
    assert "checked 2026-" in page and 'href="https://www.talktofrank.com/"' in page


def test_a_chosen_region_shows_its_crisis_and_alcohol_and_drug_lines(forms):
    forms.submit("/help/", {"region": "AU"}, action="/help/region")
    page = forms.get("/help/").get_data(as_text=True)
    assert "Lifeline" in page and "National Alcohol and Other Drug Hotline" in page
    assert 'href="tel:+611800250015"' in page and "Samaritans" not in page
    # the lines first, then the choice to change it
    assert page.index("Lifeline") < page.index('id="region-heading"')
