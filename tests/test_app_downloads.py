"""AppTest of the board pack and downloads page."""


def test_making_the_board_pack_offers_pdf_and_html(app_on_sample) -> None:
    at = app_on_sample("downloads.py")
    assert at.title[0].value == "Board pack and downloads"
    make = next(b for b in at.button if b.label == "Make the board pack")
    make.click().run()
    assert not at.exception
    ready = [s.value for s in at.success]
    assert any(v.startswith("Board pack ready: London") for v in ready)


def test_scope_follows_the_choice(app_on_sample) -> None:
    at = app_on_sample("downloads.py")
    at.selectbox(key="pack_scope").select("E09000022").run()
    assert any("Lambeth" in m.value for m in at.markdown)
