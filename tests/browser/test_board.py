"""The room's board in headless Chromium, as members use it: a sign-in link from `!board` in `kring console`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page

from .console_board import ConsoleWithBoard

SHOTS = Path(__file__).parent / "screenshots"  # written on every run, for a person to look at (not committed)


def seed_flow(console: ConsoleWithBoard) -> None:
    """An idea, a proposal, three backers (one with hours), an objection, and a need and a talent."""
    console.type(
        "Shall we share one courier for the district?",
        "/as bob",
        "/react 1 👍",
        "/as you",
        "!propose Shared <b>courier</b> €200 4 hours in 3 days min 2",
        "/as bob",
        "!backme 1 €60",
        "/as cas",
        "!backme 1 €40 2 hours",
        "/as dirk",
        "!object 1 the pharmacies in the north are too far apart",
        "!skills add bookkeeping",
        "!need someone who knows the new VAT rules",
    )
    console.wait_for("N#1")


async def signed_in(browser: Browser, console: ConsoleWithBoard, user: str, **context: Any) -> Page:
    page = await (await browser.new_context(**context)).new_page()
    await open_link(page, console.board_link(user))
    assert page.url == f"{console.url}/board"  # the token left the address bar: it was one-time anyway
    return page


async def open_link(page: Page, link: str) -> int:
    """Open a sign-in link as a member does: its page shows one button (a link previewer stops there); press it."""
    response = await page.goto(link)
    assert response is not None
    if response.status != 200:
        return response.status
    async with page.expect_navigation() as navigation:
        await page.click("#sign-in")
    signed = await navigation.value
    assert signed is not None
    return signed.status


async def bar_fill(page: Page, proposal: int, goal: str) -> float:
    """How far a goal's bar is filled, as drawn: the filled rectangle's width over the track's, in pixels."""
    bar = page.locator(f"#proposal-{proposal} .goal[data-goal='{goal}'] svg")
    track = await bar.locator("rect.track").bounding_box()
    fill = await bar.locator("rect.fill").bounding_box()
    assert track is not None and fill is not None
    return fill["width"] / track["width"]


async def test_a_backer_sees_the_proposal_with_its_bars_backers_and_their_own_pledge(
    browser: Browser, console: ConsoleWithBoard
) -> None:
    seed_flow(console)
    page = await signed_in(browser, console, "bob")
    proposal = page.locator("#proposal-1")
    assert "#1 Shared <b>courier</b>" in await proposal.locator("h3").inner_text()  # typed markup stays text
    assert await proposal.locator("h3 b").count() == 0
    assert abs(await bar_fill(page, 1, "money") - 0.5) < 0.02  # €100 of €200
    assert abs(await bar_fill(page, 1, "hours") - 0.5) < 0.02  # 2 of 4 hours
    assert abs(await bar_fill(page, 1, "backers") - 1.0) < 0.02  # 2 of at least 2
    assert "€100 of €200" in await proposal.inner_text()
    backers = await proposal.locator("ul.backers li").all_inner_texts()
    assert backers == ["bob: €60", "cas: €40 + 2h"]
    assert "too far apart" in await proposal.locator("ul.objections").inner_text()
    assert await page.locator("#yours li").all_inner_texts() == ["#1 Shared <b>courier</b>: €60"]
    assert "bookkeeping: dirk" in await page.locator("#talents").inner_text()
    assert "the new VAT rules" in await page.locator("#needs").inner_text()
    assert "1. you: 1" in await page.locator("#leaderboard").inner_text()

    # cas signs in with her own link and sees her own pledge, not bob's.
    other = await signed_in(browser, console, "cas")
    assert await other.locator("#yours li").all_inner_texts() == ["#1 Shared <b>courier</b>: €40 + 2h"]


async def test_nobody_without_a_session_sees_anything_and_a_link_works_once(
    browser: Browser, console: ConsoleWithBoard
) -> None:
    seed_flow(console)
    stranger = await (await browser.new_context()).new_page()
    response = await stranger.goto(f"{console.url}/board")
    assert response is not None and response.status == 401
    assert "Shared" not in await stranger.content() and "not signed in" in await stranger.inner_text("body")

    link = console.board_link("bob")
    first = await (await browser.new_context()).new_page()
    assert await open_link(first, link) == 200
    again = await (await browser.new_context()).new_page()  # the same link, in another browser: spent
    response = await again.goto(link)
    assert response is not None and response.status == 401
    assert "Shared" not in await again.content() and "used already" in await again.inner_text("body")
    again_board = await again.goto(f"{console.url}/board")
    assert again_board is not None and again_board.status == 401

    # Signing out ends the session in that browser.
    await first.click("text=Sign out")
    assert "not signed in" in await first.inner_text("body")
    assert await status_of(first, f"{console.url}/board") == 401


async def test_the_page_is_laid_out_on_a_desktop_and_on_a_phone(browser: Browser, console: ConsoleWithBoard) -> None:
    seed_flow(console)
    SHOTS.mkdir(exist_ok=True)
    desktop = await signed_in(browser, console, "bob", viewport={"width": 1280, "height": 900})
    await desktop.screenshot(path=str(SHOTS / "board-desktop.png"), full_page=True)
    main = await desktop.locator("#open").bounding_box()
    side = await desktop.locator("#yours").bounding_box()
    assert main is not None and side is not None
    assert side["x"] > main["x"] + main["width"] - 1  # two columns: the member's own beside the proposals
    assert main["width"] > 1.5 * side["width"]
    track = await desktop.locator("#proposal-1 .goal[data-goal='money'] rect.track").bounding_box()
    assert track is not None and track["width"] > 300 and track["height"] >= 8  # a bar, not a speck

    phone = await signed_in(browser, console, "cas", viewport={"width": 390, "height": 844}, is_mobile=True)
    await phone.screenshot(path=str(SHOTS / "board-phone.png"), full_page=True)
    main = await phone.locator("#open").bounding_box()
    side = await phone.locator("#yours").bounding_box()
    assert main is not None and side is not None
    assert side["y"] > main["y"] + main["height"] - 1  # one column: stacked
    assert (
        main["width"] <= 390 and await phone.evaluate("document.documentElement.scrollWidth") <= 390
    )  # no sideways scroll


async def test_a_dutch_room_gets_a_dutch_board(browser: Browser, tmp_path: Path) -> None:
    console = ConsoleWithBoard(tmp_path, language="nl")
    try:
        console.type("!voorstel Gedeelde koerier € 1.500 over 3 dagen", "/as bram", "!steun 1 € 250")
        console.wait_for("je steunt #1")
        page = await signed_in(browser, console, "bram")
        headings = await page.locator("h2").all_inner_texts()
        assert "Open voorstellen" in headings and "Van jou" in headings, headings
        assert "€ 250 van € 1.500" in (await page.locator("#proposal-1").inner_text()).replace("\xa0", " ")
        signed = await page.locator("header p").inner_text()
        assert signed.startswith("Ingelogd als bram · ") and signed.endswith(
            "Alleen-lezen: wijzigen doe je in de kamer."
        )
    finally:
        console.close()


async def status_of(page: Page, url: str) -> int:
    response = await page.goto(url)
    assert response is not None
    return response.status


def books_flow(console: ConsoleWithBoard) -> None:
    """#1 GO with deliveries (one confirmed), #2 cancelled, #3 NO-GO, #4 GO and then done, #5 open."""
    console.type(
        "!propose Courier €100 2 hours in 1 day min 1",
        "!propose Van €50 in 1 day",
        "!cancel 2 merged with #1",
        "!propose Bikes €500 in 1 day",
        "/wait 2m",
        "!propose Tandem €10 in 1 day",
        "/as cas",
        "!propose Night rota in 5 days",
        "!backme 1 €40",
        "/as bob",
        "!backme 1 €60 2 hours",
        "!backme 5",
        "!backme 4 €10",
        "/wait 25h",
        "/as bob",
        "!delivered 1 €60 1 hour",
        "!delivered 4 €10",
        "/as you",
        "!confirm 1 @bob",
        "/as bob",
        "!delivered 1 1 hour",
        "/wait 1d",
        "/as you",
        "!done 4 it runs",
    )
    console.wait_for("#4 Tandem is done")


async def test_underway_figures_yours_once_and_the_archive_as_each_proposal_ended(
    browser: Browser, console: ConsoleWithBoard
) -> None:
    books_flow(console)
    page = await signed_in(browser, console, "bob", viewport={"width": 1280, "height": 900})
    underway = page.locator("#underway #proposal-1")
    figures = await underway.locator(".ledger .figure").all_inner_texts()
    assert figures == [
        "pledged: €60 + 2h",
        "reported: €60 + 2h",
        "confirmed: €60 + 1h",
        "pledged: €40",
        "reported: nothing",
        "confirmed: nothing",
    ]
    yours = page.locator("#yours")
    assert await yours.locator("h3").all_inner_texts() == [
        "Open proposals you back",
        "Underway: what you pledged, reported and had confirmed",
    ]
    assert await yours.locator("li").all_inner_texts() == [
        "#5 Night rota: support",
        "#1 Courier: pledged €60 + 2h · reported €60 + 2h · confirmed €60 + 1h",
    ]
    archive = page.locator("#archive")
    assert (await archive.locator("#proposal-2 .when").inner_text()).startswith("Cancelled ")
    assert (await archive.locator("#proposal-3 .when").inner_text()).startswith("Decided ")
    done = await archive.locator("#proposal-4 .when").inner_text()
    assert done.startswith("Done ") and await page.locator("#proposal-4").count() == 1
    assert "▓" not in await archive.inner_text() and "░" not in await archive.inner_text()
    assert await archive.locator("#proposal-3 .goal[data-goal='money'] svg rect.fill").count() == 1  # drawn bars

    phone = await signed_in(browser, console, "bob", viewport={"width": 390, "height": 844}, is_mobile=True)
    mine = await phone.locator("#yours").bounding_box()
    archived = await phone.locator("#archive").bounding_box()
    assert mine is not None and archived is not None
    assert mine["y"] < archived["y"]  # on a phone, one's own comes before the archive
