"""Ticks of a logarithmic loss axis: one label format, labels that never collide.

pyqtgraph's own log ticks mix "0.001" with "10⁻⁵" and label minor ticks that
then overlap ("0.01" over "0.009"). Here every label is a power of ten, written
``10⁻³`` or ``2×10⁻³``, and labels are chosen so that their centres are at
least ``GAP`` text heights apart:

- decades (1, 10, 100, …) are labelled when there is room; when there is not,
  every 2nd, 5th, 10th, … decade, the others become unlabelled ticks;
- when the view holds fewer than two labelled decades, the mantissas 2 and 5
  (then 2…9) are labelled too, if they fit; inside a fraction of a decade,
  evenly spaced values such as ``5.2×10⁻²``;
- the unlabelled minor ticks 2…9 of each decade are drawn when they are at least
  ``MINOR_MIN_PX`` apart.

Values are in log10 units, as pyqtgraph's log-mode axes use them.
"""

from __future__ import annotations

import math

GAP = 1.5             # label centres at least this many text heights apart
MINOR_MIN_PX = 3.0    # the closest minor ticks (9 and 10) at least this far apart
DECADE_STEPS = (1, 2, 3, 5, 10, 20, 50, 100)
MANTISSAS = ((1,), (1, 2, 5), (1, 2, 3, 4, 5, 6, 7, 8, 9))
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def power_label(m: int, k: int) -> str:
    """``m × 10^k`` written as ``10ᵏ`` (m = 1) or ``m×10ᵏ``."""
    power = "10" + str(k).translate(SUPERSCRIPT)
    return power if m == 1 else f"{m}×{power}"


def _in(v: float, lo: float, hi: float) -> bool:
    return lo - 1e-9 <= v <= hi + 1e-9


def log_ticks(lo: float, hi: float, length_px: float, text_px: float
              ) -> tuple[list[tuple[float, str]], list[float]]:
    """Labelled and unlabelled ticks for the log10 range ``[lo, hi]`` drawn ``length_px`` long.

    Parameters
    ----------
    lo, hi : float
        The visible range in log10 units (``lo < hi``).
    length_px : float
        The axis' length in pixels.
    text_px : float
        The height of one label in pixels.

    Returns
    -------
    labelled : list of (value, text)
        Tick positions (log10 units) and their labels.
    minor : list of float
        Positions of unlabelled ticks.
    """
    lo, hi = min(lo, hi), max(lo, hi)
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi - lo <= 0 or length_px <= 0:
        return [], []
    px_per_decade = length_px / (hi - lo)
    min_gap = GAP * max(text_px, 1.0)
    step = next((s for s in DECADE_STEPS if s * px_per_decade >= min_gap), None)
    if step is None:  # more than ~100 decades on a few pixels: no labels at all
        return [], []
    first, last = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
    decades = list(range(first, last + 1))
    labelled = [(float(k), power_label(1, k)) for k in decades if k % step == 0]
    # unlabelled decades as ticks, unless they would merge into a grey band
    minor = ([float(k) for k in decades if k % step != 0]
             if px_per_decade >= MINOR_MIN_PX else [])
    if step == 1 and len(labelled) < 2:
        labelled = (_mantissa_labels(lo, hi, px_per_decade, min_gap)
                    or _fine_labels(lo, hi, px_per_decade, min_gap) or labelled)
    if step == 1 and px_per_decade * math.log10(10 / 9) >= MINOR_MIN_PX:
        shown = {round(v, 9) for v, _ in labelled}
        for k in range(math.floor(lo), math.ceil(hi) + 1):
            for m in range(2, 10):
                v = k + math.log10(m)
                if _in(v, lo, hi) and round(v, 9) not in shown:
                    minor.append(v)
    return labelled, sorted(minor)


def _mantissa_labels(lo: float, hi: float, px_per_decade: float,
                     min_gap: float) -> list[tuple[float, str]]:
    """The richest set of m×10ᵏ labels whose neighbours are ``min_gap`` apart, if ≥ 2 fit."""
    best: list[tuple[float, str]] = []
    for ms in MANTISSAS[1:]:
        values = [(k + math.log10(m), power_label(m, k))
                  for k in range(math.floor(lo), math.ceil(hi) + 1) for m in ms]
        values = [(v, t) for v, t in values if _in(v, lo, hi)]
        # the closest pair of this mantissa set, wherever it falls in the range
        closest = min(math.log10(b / a) for a, b in zip(ms, (*ms[1:], 10), strict=True))
        if closest * px_per_decade < min_gap:
            break
        best = values
        if len(values) >= 2:
            break
    return best if len(best) >= 2 else []


def _fine_labels(lo: float, hi: float, px_per_decade: float,
                 min_gap: float) -> list[tuple[float, str]]:
    """Evenly spaced values (steps 1, 2, 5 × 10ʲ) inside a fraction of a decade."""
    v_lo, v_hi = 10.0**lo, 10.0**hi
    # On a log axis a value step takes the fewest pixels at the top of the range.
    step_min = min_gap / px_per_decade * v_hi * math.log(10)
    j = math.floor(math.log10(step_min))
    step_m = next(m for m in (1, 2, 5, 10) if m * 10.0**j >= step_min * (1 - 1e-12))
    out = []
    n = math.ceil(v_lo / (step_m * 10.0**j) - 1e-9)
    while (v := n * step_m * 10.0**j) <= v_hi * (1 + 1e-12):
        e = math.floor(math.log10(v) + 1e-12)
        decimals = max(0, e - j)
        mantissa = f"{v / 10.0**e:.{decimals}f}"
        power = "10" + str(e).translate(SUPERSCRIPT)
        out.append((math.log10(v), power if mantissa == "1" else f"{mantissa}×{power}"))
        n += 1
    return out if len(out) >= 2 else []
