"""Charts as SVG drawn here, on the server: no chart library, nothing fetched by the browser.

``timeline_chart`` stacks the events of each period by PLOVER type; ``goldstein_chart`` shows
the cooperation–conflict index (Goldstein sum as bars, mean as a line); ``ladder_chart`` draws
the partnership ladder as steps over time. Each returns Markup: every text and attribute
value is escaped here, so a label taken from an article cannot become markup.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date as date_type
from typing import Any

from markupsafe import Markup, escape

from ..store.coref import date_bounds
from ..store.queries import PLOVER_TYPES

__all__ = ["PLOVER_COLOURS", "timeline_chart", "goldstein_chart", "ladder_chart"]

# Cooperation in blues and greens, requests in violet, conflict from orange to dark red:
# the colour alone tells which side of the scale a type stands on.
PLOVER_COLOURS: dict[str, str] = {
    "AGREE": "#1f77b4", "CONSULT": "#6baed6", "SUPPORT": "#17becf", "CONCEDE": "#9ecae1",
    "COOPERATE": "#2ca02c", "AID": "#74c476", "RETREAT": "#bcbd22", "REQUEST": "#9467bd",
    "ACCUSE": "#fdae6b", "REJECT": "#fd8d3c", "THREATEN": "#e6550d", "PROTEST": "#f16913",
    "SANCTION": "#d62728", "MOBILIZE": "#a50f15", "COERCE": "#843c39", "ASSAULT": "#67000d",
}
_FONT = 11
Link = Callable[[str], str]


def _attrs(attributes: Mapping[str, Any]) -> str:
    return "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"'
        for name, value in attributes.items() if value is not None)


def _el(tag: str, children: Iterable[str] = (), **attributes: Any) -> str:
    inner = "".join(children)
    return f"<{tag}{_attrs(attributes)}>{inner}</{tag}>"


def _text(x: float, y: float, label: str, **attributes: Any) -> str:
    return _el("text", [str(escape(label))], x=f"{x:.1f}", y=f"{y:.1f}", **attributes)


def _title(label: str) -> str:
    return _el("title", [str(escape(label))])


def _svg(width: int, height: int, label: str, body: list[str]) -> Markup:
    return Markup(_el(
        "svg", [_title(label), *body], xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {width} {height}", width=width, height=height, role="img",
        aria_label=label, class_="chart", font_size=_FONT, font_family="sans-serif"))


def _nice_max(value: float) -> float:
    """The smallest of 1, 2, 5 × 10^k at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _ticks(top: float, count: int = 4) -> list[float]:
    step = top / count
    return [step * index for index in range(count + 1)]


def _number(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"


def _empty(width: int, height: int, label: str, message: str) -> Markup:
    return _svg(width, height, label, [
        _el("rect", x=0, y=0, width=width, height=height, fill="#fafafa", stroke="#ddd"),
        _text(width / 2, height / 2, message, text_anchor="middle", fill="#666")])


# --- events per period by type -----------------------------------------------------------


def timeline_chart(periods: Sequence[Mapping[str, Any]], *, link: Link | None = None,
                   width: int = 1100, height: int = 300) -> Markup:
    """Stacked bars: events per period (``period``, ``counts`` by type) coloured by type.

    ``link(period)`` gives the address a bar opens (the events of that period).
    """
    label = "Events per period by PLOVER type"
    if not periods:
        return _empty(width, height, label, "No dated events for this pair.")
    used = [kind for kind in PLOVER_TYPES if any(p["counts"].get(kind) for p in periods)]
    legend_rows = math.ceil(len(used) / 6)
    left, right, top, bottom = 44, 12, 12, 46 + 18 * legend_rows
    plot_w, plot_h = width - left - right, height - top - bottom
    y_max, step = _count_axis(max(p["n_events"] for p in periods))
    body = _y_grid(y_max, left, top, plot_w, plot_h, "events", step=step)
    slot = plot_w / len(periods)
    bar_w = max(3.0, min(46.0, slot * 0.7))
    every = max(1, math.ceil(len(periods) / (plot_w / 64)))
    for index, entry in enumerate(periods):
        x = left + slot * index + (slot - bar_w) / 2
        body.append(_bar_stack(entry, x, bar_w, top + plot_h, plot_h / y_max, link))
        if index % every == 0:
            body.append(_text(x + bar_w / 2, top + plot_h + 16, entry["period"],
                              text_anchor="middle", fill="#333"))
    body += _legend([(kind, PLOVER_COLOURS[kind]) for kind in used], left,
                    top + plot_h + 36)
    return _svg(width, height, label, body)


def _count_axis(largest: int) -> tuple[int, int]:
    """The top of an axis of counts and its whole-number step (at most 5 steps)."""
    step = max(1, math.ceil(_nice_max(largest) / 5))
    return step * max(1, math.ceil(largest / step)), step


def _y_grid(y_max: float, left: float, top: float, plot_w: float, plot_h: float,
            unit: str, *, step: float | None = None) -> list[str]:
    body = []
    ticks = _ticks(y_max) if step is None else [
        step * index for index in range(int(y_max // step) + 1)]
    for tick in ticks:
        y = top + plot_h - tick / y_max * plot_h
        body.append(_el("line", x1=left, x2=left + plot_w, y1=f"{y:.1f}", y2=f"{y:.1f}",
                        stroke="#e3e3e3"))
        body.append(_text(left - 6, y + 4, _number(tick), text_anchor="end", fill="#555"))
    body.append(_text(12, top + plot_h / 2, unit, text_anchor="middle", fill="#555",
                      transform=f"rotate(-90 12 {top + plot_h / 2:.1f})"))
    return body


def _bar_stack(entry: Mapping[str, Any], x: float, bar_w: float, base: float, scale: float,
               link: Link | None) -> str:
    parts, y = [], base
    for kind in PLOVER_TYPES:
        count = entry["counts"].get(kind, 0)
        if not count:
            continue
        height = count * scale
        y -= height
        parts.append(_el("rect", [_title(f"{entry['period']}: {count} {kind}")],
                         x=f"{x:.1f}", y=f"{y:.1f}", width=f"{bar_w:.1f}",
                         height=f"{height:.1f}", fill=PLOVER_COLOURS.get(kind, "#999"),
                         class_="bar", data_type=kind))
    total = f"{entry['period']}: {entry['n_events']} events"
    group = _el("g", [_title(total), *parts], class_="bar-stack", data_period=entry["period"])
    if link is None:
        return group
    return _el("a", [group], href=link(entry["period"]), class_="bar-link")


def _legend(items: list[tuple[str, str]], left: float, top: float) -> list[str]:
    body = []
    for index, (name, colour) in enumerate(items):
        x = left + (index % 6) * 118
        y = top + (index // 6) * 18
        body.append(_el("rect", x=f"{x:.1f}", y=f"{y - 9:.1f}", width=10, height=10,
                        fill=colour))
        body.append(_text(x + 14, y, name, fill="#333"))
    return body


# --- the cooperation–conflict index ------------------------------------------------------


def goldstein_chart(periods: Sequence[Mapping[str, Any]], *, width: int = 1100,
                    height: int = 260) -> Markup:
    """Goldstein sum per period as bars from zero (left axis) and mean as a line (right axis,
    -10 to +10): above zero cooperation, below conflict."""
    label = "Cooperation–conflict index: Goldstein sum and mean per period"
    scored = [p for p in periods if p.get("goldstein_mean") is not None]
    if not scored:
        return _empty(width, height, label, "No scored events for this pair.")
    left, right, top, bottom = 48, 48, 12, 58
    plot_w, plot_h = width - left - right, height - top - bottom
    mid = top + plot_h / 2
    sum_max = _nice_max(max(abs(p["goldstein_sum"]) for p in scored))
    body = _index_axes(sum_max, left, top, plot_w, plot_h)
    slot = plot_w / len(periods)
    bar_w = max(3.0, min(40.0, slot * 0.6))
    points = []
    for index, entry in enumerate(periods):
        centre = left + slot * index + slot / 2
        if entry.get("goldstein_mean") is None:
            continue
        body.append(_sum_bar(entry, centre, bar_w, mid, plot_h / 2 / sum_max))
        y_mean = mid - entry["goldstein_mean"] / 10 * plot_h / 2
        points.append((centre, y_mean, entry))
    body += _mean_line(points)
    every = max(1, math.ceil(len(periods) / (plot_w / 64)))
    for index, entry in enumerate(periods):
        if index % every == 0:
            body.append(_text(left + slot * index + slot / 2, top + plot_h + 16,
                              entry["period"], text_anchor="middle", fill="#333"))
    body += _legend([("sum (left axis)", "#8fb8de"), ("mean (right axis)", "#222")], left,
                    top + plot_h + 38)
    return _svg(width, height, label, body)


def _index_axes(sum_max: float, left: float, top: float, plot_w: float,
                plot_h: float) -> list[str]:
    body, mid = [], top + plot_h / 2
    for fraction in (-1, -0.5, 0, 0.5, 1):
        y = mid - fraction * plot_h / 2
        body.append(_el("line", x1=left, x2=left + plot_w, y1=f"{y:.1f}", y2=f"{y:.1f}",
                        stroke="#999" if fraction == 0 else "#e3e3e3"))
        body.append(_text(left - 6, y + 4, _number(fraction * sum_max), text_anchor="end",
                          fill="#555"))
        body.append(_text(left + plot_w + 6, y + 4, _number(fraction * 10), fill="#555"))
    body.append(_text(left + 4, top + 10, "cooperation", fill="#2c7a2c"))
    body.append(_text(left + 4, top + plot_h - 4, "conflict", fill="#b22"))
    return body


def _sum_bar(entry: Mapping[str, Any], centre: float, bar_w: float, mid: float,
             scale: float) -> str:
    value = entry["goldstein_sum"]
    height = abs(value) * scale
    y = mid - height if value >= 0 else mid
    return _el("rect", [_title(f"{entry['period']}: Goldstein sum {value:+.1f}")],
               x=f"{centre - bar_w / 2:.1f}", y=f"{y:.1f}", width=f"{bar_w:.1f}",
               height=f"{max(height, 0.5):.1f}", fill="#8fb8de" if value >= 0 else "#e8a0a0",
               class_="goldstein-sum")


def _mean_line(points: list[tuple[float, float, Mapping[str, Any]]]) -> list[str]:
    if not points:
        return []
    body = []
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
        body.append(_el("polyline", points=path, fill="none", stroke="#222", stroke_width=2))
    for x, y, entry in points:
        body.append(_el("circle", [_title(
            f"{entry['period']}: Goldstein mean {entry['goldstein_mean']:+.2f} over "
            f"{entry['n_events']} events")], cx=f"{x:.1f}", cy=f"{y:.1f}", r=4, fill="#222",
            class_="goldstein-mean"))
    return body


# --- the partnership ladder --------------------------------------------------------------


def _when(value: str | None) -> float | None:
    """A date as a fractional year (the first day it covers), or None."""
    bounds = date_bounds(value)
    if bounds is None:
        return None
    day = date_type.fromisoformat(bounds.lo)
    return day.year + (day.timetuple().tm_yday - 1) / 366


def ladder_chart(relations: Sequence[Mapping[str, Any]], rung_names: Mapping[int, str], *,
                 link: Callable[[Mapping[str, Any]], str] | None = None, width: int = 1100,
                 height: int = 250) -> Markup:
    """The partnership level of a pair over time as steps; each dot links to its statement.

    ``relations`` carry ``date``, ``level`` and ``rung`` (undated ones are left out);
    ``rung_names`` labels the rungs of the y axis.
    """
    label = "Partnership ladder over time"
    dated = sorted(((_when(r.get("date")), r) for r in relations if _when(r.get("date"))),
                   key=lambda pair: pair[0] or 0.0)
    if not dated:
        return _empty(width, height, label, "No dated partnership statements for this pair.")
    left, right, top, bottom = 330, 24, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    rungs = sorted(set(rung_names) | {int(r["rung"]) for _, r in dated})
    low, high = min(rungs), max(rungs)
    first, last = dated[0][0] or 0.0, dated[-1][0] or 0.0
    span = max(last - first, 1.0)
    start_year = first - span * 0.08

    def x_of(when: float) -> float:
        return left + (when - start_year) / (span * 1.16) * plot_w

    def y_of(rung: int) -> float:
        return top + plot_h - (rung - low + 0.5) / (high - low + 1) * plot_h

    body = _ladder_axes(rungs, rung_names, y_of, left, plot_w)
    body += _year_ticks(start_year, start_year + span * 1.16, x_of, top + plot_h)
    body += _steps([(x_of(when or 0.0), y_of(int(r["rung"])), r) for when, r in dated],
                   x_of(start_year + span * 1.16), link)
    return _svg(width, height, label, body)


def _ladder_axes(rungs: list[int], rung_names: Mapping[int, str],
                 y_of: Callable[[int], float], left: float, plot_w: float) -> list[str]:
    body = []
    for rung in rungs:
        y = y_of(rung)
        body.append(_el("line", x1=left, x2=left + plot_w, y1=f"{y:.1f}", y2=f"{y:.1f}",
                        stroke="#e3e3e3"))
        name = rung_names.get(rung, "")
        short = name if len(name) <= 48 else name[:47] + "…"
        body.append(_text(left - 8, y + 4, f"{rung} · {short}" if short else str(rung),
                          text_anchor="end", fill="#444"))
    return body


def _year_ticks(start: float, end: float, x_of: Callable[[float], float],
                base: float) -> list[str]:
    """Years along the time axis; quarters (YYYY-MM) when it spans under three years."""
    if end - start < 3:
        quarters = range(math.ceil(start * 4), math.floor(end * 4) + 1)
        return [_text(x_of(q / 4), base + 18, f"{q // 4}-{(q % 4) * 3 + 1:02d}",
                      text_anchor="middle", fill="#333") for q in quarters]
    years = range(math.ceil(start), math.floor(end) + 1)
    every = max(1, math.ceil(len(years) / 12))
    return [
        _text(x_of(year), base + 18, str(year), text_anchor="middle", fill="#333")
        for index, year in enumerate(years) if index % every == 0
    ]


def _steps(points: list[tuple[float, float, Mapping[str, Any]]], x_end: float,
           link: Callable[[Mapping[str, Any]], str] | None) -> list[str]:
    path = [f"M{points[0][0]:.1f},{points[0][1]:.1f}"]
    for (x_next, y_next, _) in points[1:]:
        path.append(f"H{x_next:.1f}V{y_next:.1f}")
    path.append(f"H{x_end:.1f}")
    body = [_el("path", d="".join(path), fill="none", stroke="#1f77b4", stroke_width=2.5,
                class_="ladder-step")]
    previous = None
    for x, y, relation in points:
        tip = f"{relation.get('date')}: {relation['level']} (rung {relation['rung']})"
        dot = _el("circle", [_title(tip)], cx=f"{x:.1f}", cy=f"{y:.1f}", r=5, fill="#fff",
                  stroke="#1f77b4", stroke_width=2, class_="ladder-dot")
        body.append(_el("a", [dot], href=link(relation)) if link else dot)
        if relation["level"] != previous:
            body.append(_text(x + 8, y - 8, relation["level"], fill="#1f4e79"))
        previous = relation["level"]
    return body
