"""Chart geometry for the progress dashboard, drawn as SVG by the templates: no script and
nothing from a CDN. Functions return plain numbers; the template only places them."""
from app.targets.queries import ProgressRow, TrendPoint

TARGET_COLOUR, ACTUAL_COLOUR = "#7a8794", "#1e7b34"
POOR_COLOUR, NEAR_COLOUR, GOAL_COLOUR = "#b3261e", "#c77c02", "#1d4f91"
LABEL_WIDTH, BAR_AREA, BAR_HEIGHT, BAR_GAP, GROUP_GAP, TOP = 190, 380, 12, 2, 12, 8


def _short(name: str, limit: int = 26) -> str:
    return name if len(name) <= limit else name[:limit - 1] + "…"


def _scale(value: int, top: int, area: int) -> float:
    return round(area * max(value, 0) / top, 1) if top > 0 else 0


def bars(rows: list[ProgressRow], kind: str) -> dict | None:
    """Per child unit: the target (households to take off the list) and the actual reduction,
    as two horizontal bars. A negative reduction (the list grew) is drawn empty, labelled."""
    shown = [r for r in rows if r.target_counts.get(kind) is not None or r.reduction(kind)]
    if not shown:
        return None
    top = max(max(r.target_counts.get(kind) or 0, r.reduction(kind)) for r in shown) or 1
    group_height = 2 * (BAR_HEIGHT + BAR_GAP) + GROUP_GAP
    groups = []
    for i, row in enumerate(shown):
        y = TOP + i * group_height
        series = [("target", row.target_counts.get(kind), TARGET_COLOUR),
                  ("actual", row.reduction(kind), ACTUAL_COLOUR)]
        groups.append({
            "name": _short(row.unit.name), "full_name": row.unit.name, "unit_id": row.unit.id,
            "label_y": y + group_height // 2 - 2,
            "bars": [{"series": code, "value": value, "colour": colour,
                      "y": y + j * (BAR_HEIGHT + BAR_GAP),
                      "width": _scale(value or 0, top, BAR_AREA)}
                     for j, (code, value, colour) in enumerate(series)]})
    return {"groups": groups, "label_width": LABEL_WIDTH, "bar_height": BAR_HEIGHT,
            "width": LABEL_WIDTH + BAR_AREA + 60, "height": TOP + len(shown) * group_height,
            "colours": {"target": TARGET_COLOUR, "actual": ACTUAL_COLOUR}}


TREND_HEIGHT, TREND_LEFT, TREND_SLOT, TREND_BAR = 180, 50, 70, 22


def trend(points: list[TrendPoint], kind: str) -> dict | None:
    """Per year: households on the list of `kind` after the year's decisions (and near-poor
    beside poor), with a tick where the year's target aimed the count."""
    if not points:
        return None
    second = "near_poor" if kind != "near_poor" else None
    values = [p.end[kind] for p in points] + [p.target_end or 0 for p in points]
    if second:
        values += [p.end[second] for p in points]
    top = max(values) or 1
    base_y = TREND_HEIGHT + 10
    primary = NEAR_COLOUR if kind == "near_poor" else POOR_COLOUR
    slots = []
    for i, p in enumerate(points):
        x = TREND_LEFT + i * TREND_SLOT + 8
        bars = [{"series": kind, "value": p.end[kind], "x": x, "colour": primary}]
        if second:
            bars.append({"series": second, "value": p.end[second], "x": x + TREND_BAR + 2,
                         "colour": NEAR_COLOUR})
        for b in bars:
            b["height"] = _scale(b["value"], top, TREND_HEIGHT)
            b["y"] = round(base_y - b["height"], 1)
        goal = None
        if p.target_end is not None:
            goal = {"value": p.target_end, "y": round(base_y - _scale(p.target_end, top, TREND_HEIGHT), 1),
                    "x1": x - 4, "x2": x + (2 * TREND_BAR + 6 if second else TREND_BAR + 4)}
        slots.append({"year": p.year, "label_x": x + (TREND_BAR if second else TREND_BAR // 2),
                      "bars": bars, "goal": goal})
    return {"slots": slots, "bar_width": TREND_BAR, "base_y": base_y, "top": top,
            "width": TREND_LEFT + len(points) * TREND_SLOT + 20, "height": base_y + 24,
            "left": TREND_LEFT, "kind": kind, "second": second,
            "colours": {"primary": primary, "second": NEAR_COLOUR, "goal": GOAL_COLOUR}}
