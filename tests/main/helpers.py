"""Reading the home page's cards and the lists they open, from the HTML as served."""
import html
import re

CARD = re.compile(r'<a class="card sev-(?P<severity>\w+)" href="(?P<url>[^"]+)" data-key="(?P<key>[^"]+)"'
                  r'(?: data-count="(?P<count>\d+)")?>(?P<body>.*?)</a>', re.S)
NEXT = re.compile(r'<a class="btn btn-small" href="([^"]+)"[^>]*>Sau ›</a>')


def cards(response) -> dict:
    """key → {url, count (None for a plain link), severity, shown (the number as printed)}."""
    assert response.status_code == 200, response.status_code
    found = {}
    for m in CARD.finditer(response.get_data(as_text=True)):
        shown = re.search(r'<span class="n">([^<]*)</span>', m["body"])
        found[m["key"]] = {"url": html.unescape(m["url"]), "severity": m["severity"],
                           "count": int(m["count"]) if m["count"] is not None else None,
                           "shown": shown[1] if shown else None}
    return found


def number(text: str) -> int:
    return int(text.strip().replace(".", ""))


def _section(page: str, start: str, end: str = "</section>") -> str:
    i = page.index(start)
    return page[i:page.index(end, i)]


def _tbody_rows(part: str) -> int:
    if "<tbody>" not in part:
        return 0
    return _section(part, "<tbody>", "</tbody>").count("<tr")


def rows_across_pages(client, url, section_start) -> int:
    """Rows of a paginated table, following "Sau ›" to the last page."""
    total, seen = 0, set()
    while url and url not in seen:
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        part = _section(response.get_data(as_text=True), section_start)
        total += _tbody_rows(part)
        nxt = NEXT.search(part)
        url = html.unescape(nxt[1]) if nxt else None
    return total


def _get(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def _verify_queue(client, url):
    page = _get(client, url)
    total = number(re.search(r'id="verify-count"[^>]*>([^<]+)<', page)[1])
    rows = page.count('<tr id="verify-row-')
    assert rows == min(total, 200)          # the queue shows the 200 oldest
    return total


def _own_reports(client, url):
    page = _get(client, url)
    return page.count("<tr data-kind=") if 'id="own-reports"' in page else 0


def _children_reports(client, url):
    page = _get(client, url)
    return page.count('<tr id="reports-') if 'id="children-reports"' in page else 0


def _round_reviewed(client, url):
    foot = _section(_get(client, url), 'id="round-progress"')
    cells = re.findall(r'<th class="num">([^<]*)</th>', _section(foot, "<tfoot>", "</tfoot>"))
    return number(cells[1])


def _round_pending(client, url):
    return _tbody_rows(_section(_get(client, url), "<main", "</main>"))


def _supervision_late(client, url):
    return len(re.findall(r'<tr id="supervision-\d+" class="late">', _get(client, url)))


def _escaped(client, url):
    foot = _section(_get(client, url), '<tfoot><tr id="progress-totals">', "</tfoot>")
    return number(re.search(r'data-col="escaped"><strong>([^<]*)</strong>', foot)[1])


def _exits_proposed(client, url):
    page = _get(client, url.split("#")[0])
    count = number(re.search(r'id="count-proposed">([^<]+)<', page)[1])
    group = _section(page, 'id="group-proposed"')
    assert _tbody_rows(group) == min(count, 200)
    return count


def _sponsor_tasks(client, url):
    page = _get(client, url)
    return sum(part.split("</ul>")[0].count("<li>")
               for part in page.split('<h3 class="small">Việc được giao cho bạn</h3>')[1:])


def _sponsor_supports(client, url):
    return _section(_get(client, url), 'id="portal-history"').count('<li id="support-')


def _users(client, url):
    return _tbody_rows(_section(_get(client, url), "<main", "</main>"))


def _plan(client, url):
    return rows_across_pages(client, url, '<section id="plan-results"')


def _funds(client, url):
    return rows_across_pages(client, url, '<section id="review-results"')


# card key → how to count the rows (or the figure) its link shows
ROWS = {"plan_overdue": _plan, "supports_pending": _verify_queue, "fund_queries": _funds,
        "fund_pending": _funds, "fund_answered": _funds, "reports_due": _own_reports,
        "reports_late": _children_reports, "round_progress": _round_reviewed,
        "round_pending": _round_pending, "rounds_late": _supervision_late, "escaped": _escaped,
        "exits_proposed": _exits_proposed, "sponsor_tasks": _sponsor_tasks,
        "sponsor_pending": _sponsor_supports, "sponsor_rejected": _sponsor_supports,
        "users_locked": _users, "users_nounit": _users}


def check_cards(client) -> dict:
    """Every card with a count: follow its link, count what the list shows, compare."""
    found = cards(client.get("/"))
    for key, card in found.items():
        if card["count"] is None:
            assert client.get(card["url"]).status_code == 200, (key, card["url"])
            continue
        assert number(card["shown"]) == card["count"]
        assert ROWS[key](client, card["url"]) == card["count"], (key, card)
    return found
