"""The whole pass as a document: the answer key against arithmetic written from scratch here,
every format of a 2-8-8-1 pass, and the LaTeX export compiled by pdflatex."""

import json
import re
import shutil
import subprocess

import numpy as np
import pytest

from engine import Network
from engine.handout import FORMATS, format_for, render, write_handout
from engine.handout.to_latex import math
from engine.walkthrough import LAYER_KEYS, answer_key, walk_pass

SPEC_2881 = {"input_size": 2, "loss": "squared", "seed": 7,
             "layers": [{"units": 8, "activation": "tanh"}, {"units": 8, "activation": "tanh"},
                        {"units": 1, "activation": "sigmoid"}]}


def scratch_pass(spec, X, Y, lr):
    """Forward, backward and update in plain numpy, written out per layer (tanh / sigmoid)."""
    Ws = [np.array(ly["W"], dtype=float) for ly in spec["layers"]]
    bs = [np.array(ly["b"], dtype=float).reshape(-1, 1) for ly in spec["layers"]]
    acts = [ly["activation"] for ly in spec["layers"]]
    B = X.shape[1]

    def f(name, z):
        return np.tanh(z) if name == "tanh" else 1.0 / (1.0 + np.exp(-z))

    def fprime(name, z):
        return 1.0 - np.tanh(z) ** 2 if name == "tanh" else f(name, z) * (1.0 - f(name, z))

    a, zs, as_ = X, [], [X]
    for W, b, name in zip(Ws, bs, acts):
        z = W @ a + b
        a = f(name, z)
        zs.append(z)
        as_.append(a)
    loss = float(np.sum((a - Y) ** 2)) / B
    L = len(Ws)
    out = [dict() for _ in range(L)]
    dc_da = 2.0 * (a - Y)
    for l in range(L - 1, -1, -1):
        if l < L - 1:
            dc_da = Ws[l + 1].T @ out[l + 1]["delta"]
        sp = fprime(acts[l], zs[l])
        delta = dc_da * sp
        out[l] = {"z": zs[l], "a": as_[l + 1], "sigma_prime": sp, "dc_da": dc_da,
                  "delta": delta, "dW": delta @ as_[l].T / B, "db": delta.sum(1, keepdims=True) / B}
    after = [(W - lr * o["dW"], b - lr * o["db"]) for W, b, o in zip(Ws, bs, out)]
    return loss, out, after


def loss_of(spec, X, Y):
    return scratch_pass(spec, X, Y, 0.1)[0]


@pytest.fixture(scope="module")
def pass_2881():
    net = Network.from_spec(SPEC_2881)
    X = np.array([[0.5], [-1.2]])
    Y = np.array([[1.0]])
    return net, X, Y, walk_pass(net, X, Y, lr=0.3)


@pytest.mark.parametrize("B", [1, 5])
def test_answer_key_matches_scratch_arithmetic_and_finite_differences(B):
    rng = np.random.default_rng(B)
    net = Network.from_spec(SPEC_2881)
    X, Y = rng.normal(size=(2, B)), rng.uniform(size=(1, B))
    key = json.loads(json.dumps(answer_key(walk_pass(net, X, Y, lr=0.3))))
    spec = key["network"]
    loss, layers, after = scratch_pass(spec, np.array(key["X"]), np.array(key["Y"]), 0.3)
    assert key["loss"] == pytest.approx(loss, rel=1e-12)
    assert len(key["layers"]) == 3
    for got, want in zip(key["layers"], layers):
        for k in LAYER_KEYS:
            np.testing.assert_allclose(np.array(got[k]), want[k], rtol=1e-10, atol=1e-15)
        assert np.array(got["z"]).shape[1] == B  # rows = units, columns = samples
    for ly, (W, b) in zip(key["after"]["layers"], after):
        np.testing.assert_allclose(np.array(ly["W"]), W, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(np.array(ly["b"]), b[:, 0], rtol=1e-12, atol=1e-15)
    # dW against central differences of the cost, every entry of every layer.
    h = 1e-6
    for l, got in enumerate(key["layers"]):
        dW = np.array(got["dW"])
        for i in range(dW.shape[0]):
            for j in range(dW.shape[1]):
                plus, minus = json.loads(json.dumps(spec)), json.loads(json.dumps(spec))
                plus["layers"][l]["W"][i][j] += h
                minus["layers"][l]["W"][i][j] -= h
                fd = (loss_of(plus, X, Y) - loss_of(minus, X, Y)) / (2 * h)
                assert dW[i, j] == pytest.approx(fd, rel=1e-5, abs=1e-9)


def test_answer_key_is_full_precision_json(pass_2881):
    net, X, Y, w = pass_2881
    text = render(w, "json")
    key = json.loads(text)
    # Floats survive the round trip bit for bit (repr), not rounded to the shown digits.
    assert key["layers"][0]["z"] == w.layers[0]["z"].tolist()
    assert key["after"]["layers"][2]["W"] == w.after["layers"][2]["W"]
    assert set(key) >= {"network", "X", "Y", "loss", "layers", "after"}
    assert Network.from_spec(key["network"]).to_spec()["layers"][0]["W"] == \
        net.to_spec()["layers"][0]["W"]


def test_walk_pass_leaves_the_network_alone_and_has_every_step(pass_2881):
    net, X, Y, w = pass_2881
    assert net.to_spec() == w.before
    assert w.after != w.before
    assert [s.kind for s in w.steps] == (["z", "a"] * 3 + ["loss"]
                                         + ["delta", "grads"] * 3 + ["update"])
    assert w.steps[6].loss == pytest.approx(w.loss)
    assert "(8×8)" in w.steps[2].shapes  # the dimension check of z₂ = W₂ a₁ + b₂
    # Each step shows what it used and made: W before the update in z, after it in update.
    z2 = {m.quantity: m.values for m in w.steps[2].matrices}
    assert z2["W"].tolist() == w.before["layers"][1]["W"]
    np.testing.assert_array_equal(z2["z"], w.layers[1]["z"])
    new = {(m.quantity, m.layer): m.values for m in w.steps[-1].matrices}
    assert new[("W", 2)].tolist() == w.after["layers"][1]["W"]
    assert new[("b", 3)][:, 0].tolist() == w.after["layers"][2]["b"]
    d1 = {m.quantity: m.values for m in w.steps[-3].matrices}  # δ₁ of the backward pass
    np.testing.assert_array_equal(d1["delta"], d1["dc_da"] * d1["sigma_prime"])


def _numbers(arr):
    """Four significant digits, as a reader would round them (no '-0')."""
    return [["0" if f"{x:.4g}" == "-0" else f"{x:.4g}" for x in row] for row in np.asarray(arr)]


def test_every_format_of_a_2881_pass(pass_2881, tmp_path):
    *_, w = pass_2881
    for ext in ("html", "md", "tex", "json"):
        path = tmp_path / f"pass.{ext}"
        assert write_handout(path, w) == ext
        assert path.stat().st_size > 2000
    html = (tmp_path / "pass.html").read_text("utf-8")
    md = (tmp_path / "pass.md").read_text("utf-8")
    tex = (tmp_path / "pass.tex").read_text("utf-8")
    # Self-contained: nothing fetched from anywhere.
    for bad in ("http://", "https://", "src=", "<link", "<script", "@import", "url("):
        assert bad not in html.lower()
    assert "@media print" in html and "break-inside: avoid" in html
    assert tex.isascii() and "\\begin{bmatrix}" in tex and "\\end{document}" in tex
    # Each matrix of the pass appears in full, row by row, in Markdown and in LaTeX.
    mats = [m for s in w.steps for m in s.matrices]
    assert len(mats) == 3 * 3 + 3 + 3 * 3 + 3 * 2 + 3 * 2
    for m in mats:
        rows = _numbers(m.values)
        md_rows = "\n".join(f"| {i} | " + " | ".join(r) + " |" for i, r in enumerate(rows))
        assert md_rows in md, m.symbol
        tex_rows = " \\\\\n".join(" & ".join(r) for r in rows)
        assert "\\begin{bmatrix}\n" + tex_rows + "\n\\end{bmatrix}" in tex, m.symbol
        html_cells = [c for r in rows for c in r]
        pos = 0
        for cell in html_cells:  # the cells in order, each in its own coloured <td>
            pos = html.index(f">{cell}</td>", pos) + 1


def test_html_colours_follow_the_sign(pass_2881):
    *_, w = pass_2881
    html = render(w, "html")
    cells = re.findall(r"background:rgb\((\d+), (\d+), (\d+)\);color:#\w+'>([^<]+)</td>", html)
    assert len(cells) > 100
    for r, g, b, value in cells:
        x = float(value)
        if x > 0:
            assert int(r) > int(b)
        elif x < 0:
            assert int(b) > int(r)
        else:
            assert (r, g, b) == ("255", "255", "255")


def test_latex_math_of_the_engines_formulas():
    assert math("δ₁ = (W₂ᵀ δ₂) ⊙ σ'₁(z₁)") == \
        r"\delta _{1}=(W_{2}^{\top}\,\delta _{2})\odot \sigma '_{1}(z_{1})"
    assert math("C = (1/B) Σᵢ cᵢ,   cᵢ = ½‖a₂ − y‖²") == \
        r"C=(1/B)\,\sum _{i}\,c_{i},\quad c_{i}=\tfrac{1}{2}\|a_{2}-y\|^{2}"
    assert math("a₁ = σ₁(z₁),  σ₁ = leaky_relu") == \
        r"a_{1}=\sigma _{1}(z_{1}),\quad \sigma _{1}=\mathrm{leaky\_relu}"
    assert math("−Σₖ yₖ log a₂,ₖ") == r"-\sum _{k}\,y_{k}\,\log\,a_{2,k}"
    # The dimension check keeps its gaps between a symbol and its shape.
    assert math("z₁ (8×1) = W₁ (8×2) a₀ (2×1)") == \
        r"z_{1}\,(8\times 1)=W_{1}\,(8\times 2)\,a_{0}\,(2\times 1)"


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_latex_export_of_a_222_pass_compiles(tmp_path):
    spec = {"input_size": 2, "loss": "half_squared",
            "layers": [{"units": 2, "activation": "sigmoid", "W": [[.15, .2], [.25, .3]],
                        "b": [.35, .35]},
                       {"units": 2, "activation": "sigmoid", "W": [[.4, .45], [.5, .55]],
                        "b": [.6, .6]}]}
    w = walk_pass(Network.from_spec(spec), np.array([[.05], [.1]]), np.array([[.01], [.99]]),
                  lr=0.5, note="Mazur's 2-2-2 — ½ squared error, α = 0.5", source="a_b & c%")
    write_handout(tmp_path / "pass.tex", w, digits=9)
    r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "pass.tex"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-2000:]
    assert (tmp_path / "pass.pdf").stat().st_size > 10_000
    assert "0.593269992" in (tmp_path / "pass.tex").read_text()  # out_h1 to 9 digits


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_latex_of_other_update_rules_and_a_softmax_batch_compiles(tmp_path, optimizer):
    spec = {"input_size": 3, "loss": "cross_entropy", "seed": 2,
            "layers": [{"units": 4, "activation": "leaky_relu"},
                       {"units": 3, "activation": "softmax"}]}
    X = np.random.default_rng(1).normal(size=(3, 5))
    w = walk_pass(Network.from_spec(spec), X, np.eye(3)[:, [0, 1, 2, 1, 0]], lr=0.01,
                  optimizer=optimizer)
    write_handout(tmp_path / "pass.tex", w)
    r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "pass.tex"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-2000:]
    assert "\\text{?}" not in (tmp_path / "pass.tex").read_text()


def test_bad_digits_and_unknown_extension(pass_2881, tmp_path):
    *_, w = pass_2881
    for fmt in FORMATS:
        for bad in (0, 18, 2.5, True):
            with pytest.raises(ValueError, match="digits"):
                render(w, fmt, bad)
    assert render(w, "md", 1) != render(w, "md", 17)
    with pytest.raises(ValueError, match="unknown file type '.pdf'"):
        write_handout(tmp_path / "pass.pdf", w)
    assert not (tmp_path / "pass.pdf").exists()
    assert format_for("A.HTML") == "html"


def test_big_matrices_are_elided_on_paper_but_complete_in_the_key():
    spec = {"input_size": 30, "loss": "cross_entropy", "seed": 1,
            "layers": [{"units": 20, "activation": "tanh"},
                       {"units": 3, "activation": "softmax"}]}
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(30, 4)), np.eye(3)[:, [0, 1, 2, 0]]
    w = walk_pass(Network.from_spec(spec), X, Y, lr=0.1)
    html, tex = render(w, "html"), render(w, "tex")
    assert "first and last rows/columns" in html and "\\cdots" in tex
    key = json.loads(render(w, "json"))
    assert np.array(key["layers"][0]["dW"]).shape == (20, 30)
    # Softmax with cross-entropy: δ_L = a_L − y directly, so no ∂c/∂a_L and no σ'_L.
    assert key["layers"][1]["dc_da"] is None and key["layers"][1]["sigma_prime"] is None
    np.testing.assert_allclose(np.array(key["layers"][1]["delta"]),
                               np.array(key["layers"][1]["a"]) - Y, rtol=1e-12)
