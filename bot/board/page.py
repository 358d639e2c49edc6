"""The board as one HTML page: server-rendered, inline SVG bars, no script; it works on a phone and it prints.

Every sentence comes from the catalogs (handlers.wording.catalog); everything a member typed is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from html import escape

from handlers.board import Carried, RoomBoard
from handlers.payments.references import formatted
from handlers.wording.catalog import Texts
from handlers.wording.fragments import ProposalFacts, amount_of, pledge_amount
from handlers.wording.markup import Rendered
from storage.queries.board import Own
from storage.records import Delivery, Pledge, Proposal, Status

STYLE = """
:root { --ink:#1d2433; --muted:#5b6474; --line:#d9dde5; --track:#e8ebf0; --fill:#2f7d5b; --warn:#b5522b;
  --reported:#e0a526; --confirmed:#2f7d5b; --pledged:#7b8fb3; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  background: #f6f7f9; }
header { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline; justify-content: space-between;
  padding: .8rem 1.2rem; background: #fff; border-bottom: 1px solid var(--line); }
header h1 { margin: 0; font-size: 1.3rem; }
header p { margin: 0; color: var(--muted); }
header form { margin: 0; }
main { display: grid; gap: 1.2rem; padding: 1.2rem; grid-template-columns: minmax(0, 2fr) minmax(0, 1fr);
  max-width: 1200px; margin: 0 auto; }
.column { display: grid; gap: 1.2rem; align-content: start; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.2rem; }
section > h2 { margin: 0 0 .6rem; font-size: 1.1rem; }
article { border-top: 1px solid var(--line); padding: .8rem 0; }
article:first-of-type { border-top: 0; padding-top: 0; }
article h3 { margin: 0 0 .2rem; font-size: 1rem; }
.muted, .empty { color: var(--muted); }
.goal { display: grid; grid-template-columns: 6rem minmax(0, 1fr) 10rem; gap: .6rem; align-items: center;
  margin: .3rem 0; }
.goal .amount { text-align: right; }
.goal svg, .ledger svg { width: 100%; height: 12px; display: block; }
.track { fill: var(--track); }
.fill { fill: var(--fill); }
.pledged { fill: var(--pledged); }
.reported { fill: var(--reported); }
.confirmed { fill: var(--confirmed); }
.ledger { display: grid; grid-template-columns: 8rem minmax(0, 1fr); gap: .2rem .6rem; margin: .4rem 0; }
.ledger .bars { display: grid; gap: 2px; }
.ledger .bar { display: grid; grid-template-columns: minmax(0, 1fr) 11rem; gap: .5rem; align-items: center; }
.ledger .figure { font-size: .85em; color: var(--muted); }
#yours h3 { margin: .6rem 0 .2rem; font-size: .95rem; }
.legend span { margin-right: 1rem; white-space: nowrap; }
.legend i { display: inline-block; width: .8em; height: .8em; margin-right: .3em; border-radius: 2px; }
ul, ol { margin: .3rem 0; padding-left: 1.2rem; }
ol.timeline { list-style: none; padding-left: 0; border-left: 3px solid var(--line); }
ol.timeline li { padding: .1rem 0 .4rem .8rem; }
ol.timeline time { color: var(--muted); font-size: .9em; display: block; }
.status { font-size: .85em; padding: .05rem .4rem; border-radius: 4px; background: var(--track); }
.status.go, .status.done { background: #d8efe4; }
.status.no-go, .status.cancelled, .status.dropped { background: #f6dfd5; }
nav.pages { display: flex; gap: 1rem; margin-top: .6rem; }
button { font: inherit; padding: .25rem .8rem; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
@media (max-width: 760px) { main { display: flex; flex-direction: column; padding: .6rem; }
  .column { display: contents; } #open { order: 1; } #underway { order: 2; } #yours { order: 3; }
  #archive { order: 4; } #needs { order: 5; } #talents { order: 6; } #leaderboard { order: 7; }
  .goal { grid-template-columns: 4.5rem minmax(0, 1fr); } .goal .amount { grid-column: 2; text-align: left; }
  .ledger .bar { grid-template-columns: minmax(0, 1fr); } }
@media print { body { background: #fff; } header form, nav.pages { display: none; }
  main { display: block; } section { border: 0; padding: 0 0 1rem; break-inside: avoid; } }
"""


def _h(text: str) -> str:
    return escape(text, quote=True)


def _bar(ratio: Fraction | float, css: str = "fill", label: str = "") -> str:
    """One horizontal bar in SVG: a track and a filled part, `ratio` of it (capped at 1)."""
    width = max(0.0, min(1.0, float(ratio))) * 100
    aria = f' role="img" aria-label="{_h(label)}"' if label else ' aria-hidden="true"'
    return (
        f'<svg viewBox="0 0 100 10" preserveAspectRatio="none"{aria}>'
        f'<rect class="track" x="0" y="0" width="100" height="10" rx="2"/>'
        f'<rect class="{css}" x="0" y="0" width="{width:.2f}" height="10" rx="2"/></svg>'
    )


@dataclass(frozen=True)
class RoomSections:
    """The HTML of what every member of a room sees alike: made once, until the room's store changes."""

    main: str  # open, underway, archive
    side: str  # needs, talents, leaderboard (after the viewer's own)


class BoardPage:
    """Renders what every member of a room sees alike on its board, in the room's language."""

    def __init__(self, texts: Texts, room: RoomBoard) -> None:
        self.texts = texts
        self.room = room
        self._words: dict[str, Rendered] = {}

    def t(self, key: str, **params: str | int) -> str:
        if params:
            return self.texts.t(key, **params).html
        if key not in self._words:  # a page shows the same labels hundreds of times
            self._words[key] = self.texts.t(key)
        return self._words[key].html

    def plain(self, key: str) -> str:
        self.t(key)
        return self._words[key].plain

    def name(self, user_id: str) -> str:
        return self.room.name(user_id)

    def sections(self) -> RoomSections:
        main = "".join([self._open(), self._underway(), self._archive()])
        side = "".join([self._needs(), self._talents(), self._leaderboard()])
        return RoomSections(main, side)

    # the sections
    def _section(self, anchor: str, title: str, body: str) -> str:
        return _section(anchor, self.t(title), body)

    def _empty(self, key: str) -> str:
        return f'<p class="empty">{self.t(key)}</p>'

    def _open(self) -> str:
        if not self.room.open:
            return self._section("open", "board.open_title", self._empty("board.no_open"))
        return self._section("open", "board.open_title", "".join(self._open_proposal(f) for f in self.room.open))

    def _heading(self, proposal: Proposal) -> str:
        status = self.t(f"status.{proposal.status.value}")
        return (
            f"<h3>#{proposal.number} {_h(proposal.title)} "
            f'<span class="status {_h(proposal.status.value)}">{status}</span></h3>'
        )

    def _open_proposal(self, facts: ProposalFacts) -> str:
        proposal, texts = facts.proposal, self.texts
        parts = [
            f'<article class="proposal" id="proposal-{proposal.number}">',
            self._heading(proposal),
        ]
        proposer = self.t(
            "proposal.proposer", proposer=self.name(proposal.proposer), created=texts.when(proposal.created_at)
        )
        parts.append(f'<p class="muted">{proposer}</p>')
        if proposal.description:
            parts.append(f"<p>{_h(proposal.description)}</p>")
        parts.append(self._goals(facts))
        left = texts.time_left(proposal.deadline - self.room.now).html
        parts.append(
            f'<p class="deadline">{self.t("proposal.deadline", deadline=texts.when(proposal.deadline), left=left)}</p>'
        )
        parts.append(self._backers(facts))
        parts.append(self._objections(facts))
        parts.append("</article>")
        return "".join(parts)

    def _goals(self, facts: ProposalFacts) -> str:
        """A bar per goal (money, hours, backers), each with its own figures: open and archived alike."""
        proposal, totals, texts = facts.proposal, facts.totals, self.texts
        parts = []
        if proposal.money_goal_cents:
            parts.append(self._goal("board.money", totals.money_cents, proposal.money_goal_cents, texts.money))
        if proposal.hours_goal_minutes:
            parts.append(self._goal("board.hours", totals.minutes, proposal.hours_goal_minutes, texts.hours))
        parts.append(self._goal("board.backers", totals.backers, proposal.min_backers, str))
        return "".join(parts)

    def _goal(self, label: str, done: int, goal: int, shown: object) -> str:
        show = shown if callable(shown) else str
        of = self.texts.t("board.of", done=show(done), goal=show(goal))
        amount, title = of.html, f"{self.plain(label)}: {of.plain}"
        return (
            f'<div class="goal" data-goal="{_h(label.removeprefix("board."))}"><span>{self.t(label)}</span>'
            f"{_bar(Fraction(done, goal) if goal else 1, label=title)}"
            f'<span class="amount">{amount}</span></div>'
        )

    def _pledge(self, pledge: Pledge) -> str:
        return pledge_amount(self.texts, pledge).html

    def _backers(self, facts: ProposalFacts) -> str:
        """The backers, counted as listed; the proposer's own pledge apart (it counts, but not as a backer)."""
        own = next((p for p in facts.pledges if p.user_id == facts.proposal.proposer), None)
        own_line = ""
        if own is not None:
            key = "proposal.own_pledge_note" if own.note else "proposal.own_pledge"
            line = self.texts.t(key, user=self.name(own.user_id), pledge=pledge_amount(self.texts, own), note=own.note)
            own_line = f'<p class="own-pledge">{line.html}</p>'
        if not facts.backing:
            return f'<p class="empty">{self.t("proposal.no_backers")}</p>{own_line}'
        items = []
        for pledge in facts.backing:
            note = f" — “{_h(pledge.note)}”" if pledge.note else ""
            items.append(f"<li><strong>{_h(self.name(pledge.user_id))}</strong>: {self._pledge(pledge)}{note}</li>")
        title = self.t("proposal.backers_title", count=len(facts.backing))
        return f'<p>{title}</p><ul class="backers">{"".join(items)}</ul>{own_line}'

    def _objections(self, facts: ProposalFacts) -> str:
        if not facts.objections:
            return ""
        items = "".join(
            f"<li><strong>{_h(self.name(o.user_id))}</strong>: {_h(o.reason)}</li>" for o in facts.objections
        )
        title = self.t("proposal.objections_title", count=len(facts.objections))
        return f'<p>{title}</p><ul class="objections">{items}</ul>'

    def _underway(self) -> str:
        if not self.room.underway:
            return self._section("underway", "board.underway_title", self._empty("board.no_underway"))
        body = "".join(self._going(u) for u in self.room.underway)
        more = self.room.underway_total - len(self.room.underway)
        if more > 0:
            body += f'<p class="muted">{self.texts.tn("proposal.underway_more", more, count=more).html}</p>'
        return self._section("underway", "board.underway_title", body)

    def _going(self, entry: Carried) -> str:
        """A proposal underway: when it was decided, each backer's pledged, reported and confirmed, what is left,
        and its updates."""
        facts = entry.facts
        parts = [f'<article class="underway" id="proposal-{facts.proposal.number}">', self._heading(facts.proposal)]
        if facts.proposal.decided_at is not None:
            parts.append(
                f'<p class="muted">{self.t("proposal.decided", when=self.texts.when(facts.proposal.decided_at))}</p>'
            )
        parts.append(self._ledger(facts, entry.deliveries))
        parts.append(self._left(facts, entry.deliveries))
        parts.append(self._timeline(entry))
        parts.append("</article>")
        return "".join(parts)

    def _ledger(self, facts: ProposalFacts, deliveries: list[Delivery]) -> str:
        """Per backer, three bars: pledged, reported, confirmed (drawn in money, else hours, against their pledge),
        each with its figures as text, money and hours."""
        if not facts.pledges:
            return ""
        legend = "".join(
            f'<span><i class="{css}" style="background: var(--{css})"></i>{self.t(f"board.{css}")}</span>'
            for css in ("pledged", "reported", "confirmed")
        )
        rows = []
        for pledge in facts.pledges:
            theirs = [d for d in deliveries if d.user_id == pledge.user_id]
            use_money = pledge.money_cents > 0 or not pledge.minutes

            def size(money_cents: int, minutes: int, use_money: bool = use_money) -> int:
                return money_cents if use_money else minutes

            done = [d for d in theirs if d.confirmed]
            figures = {
                "pledged": pledge_amount(self.texts, pledge),
                "reported": _summed(self.texts, theirs),
                "confirmed": _summed(self.texts, done),
            }
            pledged = size(pledge.money_cents, pledge.minutes)
            reported = sum(size(d.money_cents, d.minutes) for d in theirs)
            confirmed = sum(size(d.money_cents, d.minutes) for d in done)
            scale = max(pledged, reported, 1)
            bars = "".join(
                self._ledger_bar(css, Fraction(value, scale), figures[css])
                for css, value in (("pledged", pledged), ("reported", reported), ("confirmed", confirmed))
            )
            rows.append(f'<span>{_h(self.name(pledge.user_id))}</span><div class="bars">{bars}</div>')
        return f'<p class="legend">{legend}</p><div class="ledger">{"".join(rows)}</div>'

    def _ledger_bar(self, css: str, ratio: Fraction, figure: Rendered) -> str:
        """`▬▬▬▬░░ pledged: €60 + 2h`: the bar, and what it stands for in words a screen reader says too."""
        said = self.texts.t("board.figure", label=self.plain(f"board.{css}"), amount=figure)
        return f'<div class="bar" data-bar="{css}">{_bar(ratio, css)}<span class="figure">{said.html}</span></div>'

    def _left(self, facts: ProposalFacts, deliveries: list[Delivery]) -> str:
        totals = facts.totals
        confirmed = [d for d in deliveries if d.confirmed]
        money = max(0, totals.money_cents - sum(d.money_cents for d in confirmed))
        minutes = max(0, totals.minutes - sum(d.minutes for d in confirmed))
        if not money and not minutes:
            return f'<p class="left">{self.t("board.nothing_left")}</p>'
        amount = pledge_amount(self.texts, Pledge("", money, minutes, "", self.room.now)).html
        return f'<p class="left">{self.t("board.left", amount=amount)}</p>'

    def _timeline(self, entry: Carried) -> str:
        if not entry.updates:
            return f'<p class="empty">{self.t("board.no_updates")}</p>'
        items = []
        for update in reversed(entry.updates):
            percent = f" ({update.percent}%)" if update.percent is not None else ""
            items.append(
                f"<li><time>{_h(self.texts.when(update.at))}</time>"
                f"<strong>{_h(self.name(update.user_id))}</strong>: {_h(update.text)}{percent}</li>"
            )
        return f'<p>{self.t("board.updates_title")}</p><ol class="timeline">{"".join(items)}</ol>'

    def _archive(self) -> str:
        board = self.room
        if not board.decided:
            return self._section("archive", "board.archive_title", self._empty("board.no_archive"))
        body = "".join(self._closed(d) for d in board.decided)
        links = []
        if board.page > 0:
            links.append(f'<a href="/board?page={board.page - 1}#archive">{self.t("board.newer")}</a>')
        links.append(f"<span>{self.t('board.page', page=board.page + 1, pages=board.pages)}</span>")
        if board.page + 1 < board.pages:
            links.append(f'<a href="/board?page={board.page + 1}#archive">{self.t("board.older")}</a>')
        return self._section("archive", "board.archive_title", body + f'<nav class="pages">{"".join(links)}</nav>')

    def _closed(self, facts: ProposalFacts) -> str:
        """An archived proposal, short: what happened when (cancelled, decided, done or stopped, each with its own
        date), the bars of what it gathered, its closing report."""
        proposal, texts = facts.proposal, self.texts
        parts = [f'<article class="closed" id="proposal-{proposal.number}">', self._heading(proposal)]
        key, when = _closing(proposal)
        if when is not None:
            parts.append(f'<p class="muted when">{self.t(key, when=texts.when(when))}</p>')
        parts.append(self._goals(facts))
        if proposal.close_reason:
            parts.append(f'<p class="report">{self.t("board.report", text=proposal.close_reason)}</p>')
        parts.append("</article>")
        return "".join(parts)

    def _list(self, anchor: str, title: str, empty: str, items: Iterable[str]) -> str:
        return _list(self.texts, anchor, title, empty, items)

    def _needs(self) -> str:
        items = [
            self.t("board.need_line", number=n.number, user=self.name(n.user_id), text=n.text) for n in self.room.needs
        ]
        return self._list("needs", "board.needs_title", "board.no_needs", items)

    def _talents(self) -> str:
        by_key: dict[str, tuple[str, list[str]]] = {}
        for talent in self.room.talents:
            _, people = by_key.setdefault(talent.key, (talent.talent, []))
            if self.name(talent.user_id) not in people:
                people.append(self.name(talent.user_id))
        items = [
            self.t("board.talent_line", talent=shown, users=", ".join(people))
            for shown, people in sorted(by_key.values(), key=lambda entry: entry[0].casefold())
        ]
        return self._list("talents", "board.talents_title", "board.no_talents", items)

    def _leaderboard(self) -> str:
        items = [
            self.t("board.leader_line", rank=s.rank, user=self.name(s.user_id), credits=s.credits)
            for s in self.room.leaderboard
        ]
        return self._list("leaderboard", "board.leaderboard_title", "board.no_credits", items)


def _closing(proposal: Proposal) -> tuple[str, datetime | None]:
    """How an archived proposal ended and on which date: cancelled and decided at their decision, done and stopped
    when they were closed."""
    if proposal.status is Status.CANCELLED:
        return "proposal.cancelled_on", proposal.decided_at
    if proposal.status is Status.DONE:
        return "board.done_on", proposal.closed_at
    if proposal.status is Status.DROPPED:
        return "board.dropped_on", proposal.closed_at
    return "proposal.decided", proposal.decided_at


def render_room(texts: Texts, room: RoomBoard) -> RoomSections:
    return BoardPage(texts, room).sections()


def render_board(texts: Texts, room: RoomSections, own: Own, now: datetime, *, sign_out: str = "") -> str:
    """The whole page for one viewer: the room's sections around the viewer's own; `sign_out` is the token its
    sign-out form sends back (CSRF)."""
    heading = texts.t("board.title").html
    return (
        f'<!DOCTYPE html><html lang="{_h(texts.language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{heading}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>{heading}</h1>"
        f"<p>{texts.t('board.as_of', user=own.name, moment=texts.when(now)).html}</p>"
        f'<form method="post" action="/board/out"><input type="hidden" name="check" value="{_h(sign_out)}">'
        f"<button>{texts.t('board.sign_out').html}</button></form></header>"
        f'<main><div class="column">{room.main}</div><div class="column">{_yours(texts, own)}{room.side}</div></main>'
        "</body></html>"
    )


def _yours(texts: Texts, own: Own) -> str:
    """The viewer's own: open proposals they back, then those underway with what they pledged, reported and had
    confirmed, each proposal once, under a heading per kind."""
    if not own.pledges and not own.deliveries and not own.payments:
        return _list(texts, "yours", "board.yours_title", "board.no_pledges", [])
    delivered: dict[int, list[Delivery]] = {}
    for proposal, delivery in own.deliveries:
        delivered.setdefault(proposal.id, []).append(delivery)
    backing: list[Rendered] = []
    carried: dict[int, Rendered] = {}  # by proposal: each listed once
    for proposal, pledge in own.pledges:
        pledged = pledge_amount(texts, pledge)
        if proposal.is_open:
            backing.append(texts.t("board.my_pledge", number=proposal.number, title=proposal.title, pledge=pledged))
            continue
        theirs = delivered.get(proposal.id, [])
        sums = [_summed(texts, theirs), _summed(texts, [d for d in theirs if d.confirmed])]
        carried[proposal.id] = texts.t(
            "board.my_underway",
            number=proposal.number,
            title=proposal.title,
            pledged=pledged,
            reported=sums[0],
            confirmed=sums[1],
        )
    for proposal, reference, asked, arrived in own.payments:  # [money]: what GO asked for, and what arrived
        paid = {"amount": texts.money(asked), "arrived": texts.money(arrived), "reference": formatted(reference)}
        if proposal.id in carried:  # beside what they pledged, reported and had confirmed
            carried[proposal.id] += Rendered(" · ", " · ") + texts.t("board.my_payment_part", **paid)
        else:
            carried[proposal.id] = texts.t("board.my_payment", number=proposal.number, title=proposal.title, **paid)
    body = ""
    for heading, items in (("board.yours_open", backing), ("board.yours_underway", list(carried.values()))):
        if items:
            listed = "".join(f"<li>{item.html}</li>" for item in items)
            body += f"<h3>{texts.t(heading).html}</h3><ul>{listed}</ul>"
    return _section("yours", texts.t("board.yours_title").html, body)


def _summed(texts: Texts, deliveries: list[Delivery]) -> Rendered:
    if not deliveries:
        return texts.t("report.none")
    return amount_of(texts, sum(d.money_cents for d in deliveries), sum(d.minutes for d in deliveries))


def _list(texts: Texts, anchor: str, title: str, empty: str, items: Iterable[str]) -> str:
    listed = "".join(f"<li>{item}</li>" for item in items)
    body = f"<ul>{listed}</ul>" if listed else f'<p class="empty">{texts.t(empty).html}</p>'
    return _section(anchor, texts.t(title).html, body)


def _section(anchor: str, title_html: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{title_html}</h2>{body}</section>'


def sign_in_page(texts: Texts, action: str, check: str) -> str:
    """What a sign-in link opens: one button that signs in (its form carries the page's token)."""
    return (
        f'<!DOCTYPE html><html lang="{_h(texts.language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{texts.t('board.title').html}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>{texts.t('board.title').html}</h1></header>"
        f'<main><section id="notice"><p>{texts.t("board.sign_in_intro").html}</p>'
        f'<form method="post" action="{_h(action)}"><input type="hidden" name="check" value="{_h(check)}">'
        f'<button id="sign-in">{texts.t("board.sign_in").html}</button></form></section></main></body></html>'
    )


def notice_page(texts: Texts, key: str) -> str:
    """A page that says one sentence: signed out, a spent link, not a member."""
    return (
        f'<!DOCTYPE html><html lang="{_h(texts.language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{texts.t('board.title').html}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>{texts.t('board.title').html}</h1></header>"
        f'<main><section id="notice"><p>{texts.t(key).html}</p></section></main></body></html>'
    )
