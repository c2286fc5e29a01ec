"""Update rules as mathtext, per parameter i (squares, roots and divisions are element-wise), with values filled in."""

import math
from collections.abc import Mapping

H = Mapping[str, float]


def num(value: float | str) -> str:
    """A hyperparameter as mathtext: 0.9, 0.001, 10^{-8}, 3\\times10^{-5}; a symbol (η_t) stays as it is."""
    if isinstance(value, str):
        return value
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:g}"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = value / 10**exponent
    power = f"10^{{{exponent}}}"
    return power if math.isclose(mantissa, 1.0) else f"{mantissa:.3g}\\times{power}"


def _one_minus(beta: float) -> str:
    return num(round(1 - beta, 12))


def gd(h: H) -> tuple[str, ...]:
    """θᵢ ← θᵢ − η gᵢ."""
    return (rf"\theta_i \leftarrow \theta_i - {num(h['learning_rate'])}\,g_i",)


def momentum(h: H) -> tuple[str, ...]:
    """vᵢ ← βvᵢ + gᵢ;  θᵢ ← θᵢ − η vᵢ (heavy ball, optax's trace form)."""
    return (rf"v_i \leftarrow {num(h['momentum'])}\,v_i + g_i",
            rf"\theta_i \leftarrow \theta_i - {num(h['learning_rate'])}\,v_i")


def nesterov(h: H) -> tuple[str, ...]:
    """vᵢ ← βvᵢ + gᵢ;  θᵢ ← θᵢ − η(gᵢ + βvᵢ) (Sutskever's NAG, tracking the look-ahead point)."""
    b = num(h["momentum"])
    return (rf"v_i \leftarrow {b}\,v_i + g_i",
            rf"\theta_i \leftarrow \theta_i - {num(h['learning_rate'])}\,(g_i + {b}\,v_i)")


def nesterov_sutskever(h: H) -> tuple[str, ...]:
    """vᵢ ← μvᵢ − η ∂ᵢf(θ + μv);  θᵢ ← θᵢ + vᵢ (Sutskever et al.'s form, tracking θ itself)."""
    b = num(h["momentum"])
    return (rf"v_i \leftarrow {b}\,v_i - {num(h['learning_rate'])}\,\partial_i f(\theta + {b}\,v)",
            r"\theta_i \leftarrow \theta_i + v_i")


def adagrad(h: H) -> tuple[str, ...]:
    """Gᵢ ← Gᵢ + gᵢ²;  θᵢ ← θᵢ − η gᵢ/√(Gᵢ + ε), G starting at G₀."""
    return (rf"G_i \leftarrow G_i + g_i^2,\quad G_i^{{(0)}} = {num(h['initial_accumulator_value'])}",
            rf"\theta_i \leftarrow \theta_i - {num(h['learning_rate'])}\,\frac{{g_i}}{{\sqrt{{G_i + {num(h['eps'])}}}}}")


def adadelta(h: H) -> tuple[str, ...]:
    """Zeiler's units argument: Δθᵢ = −RMS[Δθ]ᵢ/RMS[g]ᵢ·gᵢ, RMS[x] = √(E[x²] + ε), E decaying with ρ; θᵢ ← θᵢ + ηΔθᵢ."""
    rho, eps, one = num(h["rho"]), num(h["eps"]), _one_minus(h["rho"])
    rms = r"\mathrm{RMS}"
    return (rf"E[g^2]_i \leftarrow {rho}\,E[g^2]_i + {one}\,g_i^2",
            rf"\Delta\theta_i = -\frac{{{rms}[\Delta\theta]_i}}{{{rms}[g]_i}}\,g_i",
            rf"{rms}[x]_i = \sqrt{{E[x^2]_i + {eps}}}",
            rf"E[\Delta\theta^2]_i \leftarrow {rho}\,E[\Delta\theta^2]_i + {one}\,\Delta\theta_i^2",
            rf"\theta_i \leftarrow \theta_i + {num(h['learning_rate'])}\,\Delta\theta_i")


def rmsprop(h: H) -> tuple[str, ...]:
    """sᵢ ← ρsᵢ + (1−ρ)gᵢ²;  θᵢ ← θᵢ − η gᵢ/√(sᵢ + ε)."""
    return (rf"s_i \leftarrow {num(h['decay'])}\,s_i + {_one_minus(h['decay'])}\,g_i^2",
            rf"\theta_i \leftarrow \theta_i - {num(h['learning_rate'])}\,\frac{{g_i}}{{\sqrt{{s_i + {num(h['eps'])}}}}}")


def _moments(h: H, second: str = "g_i^2") -> tuple[str, str]:
    b1, b2 = h["b1"], h["b2"]
    return (rf"m_i \leftarrow {num(b1)}\,m_i + {_one_minus(b1)}\,g_i",
            rf"v_i \leftarrow {num(b2)}\,v_i + {_one_minus(b2)}\,{second}")


def _bias_corrected(h: H, v: str = "v") -> str:
    return (rf"\hat m_i = \frac{{m_i}}{{1 - {num(h['b1'])}^t}},\quad "
            rf"\hat {v}_i = \frac{{{v}_i}}{{1 - {num(h['b2'])}^t}}")


def _adam_step(h: H, v: str = r"\hat v_i", decay: str = "") -> str:
    lr, eps = num(h["learning_rate"]), num(h["eps"])
    ratio = rf"\frac{{\hat m_i}}{{\sqrt{{{v}}} + {eps}}}"
    if decay:
        return rf"\theta_i \leftarrow \theta_i - {lr}\,\left({ratio} + {decay}\,\theta_i\right)"
    return rf"\theta_i \leftarrow \theta_i - {lr}\,{ratio}"


def adam(h: H) -> tuple[str, ...]:
    """Kingma & Ba: moments, bias correction, θᵢ ← θᵢ − η m̂ᵢ/(√v̂ᵢ + ε)."""
    return (*_moments(h), _bias_corrected(h), _adam_step(h))


def adamw(h: H) -> tuple[str, ...]:
    """Adam with decoupled weight decay: θᵢ ← θᵢ − η(m̂ᵢ/(√v̂ᵢ + ε) + λθᵢ)."""
    return (*_moments(h), _bias_corrected(h), _adam_step(h, decay=num(h["weight_decay"])))


def nadam(h: H) -> tuple[str, ...]:
    """Dozat's NAdam: m̂ᵢ = β₁mᵢ/(1−β₁^(t+1)) + (1−β₁)gᵢ/(1−β₁^t)."""
    b1 = num(h["b1"])
    return (*_moments(h),
            rf"\hat m_i = \frac{{{b1}\,m_i}}{{1 - {b1}^{{t+1}}}} + \frac{{{_one_minus(h['b1'])}\,g_i}}{{1 - {b1}^t}},\quad "
            rf"\hat v_i = \frac{{v_i}}{{1 - {num(h['b2'])}^t}}",
            _adam_step(h))


def amsgrad(h: H) -> tuple[str, ...]:
    """Reddi et al.: v̂ᵢ ← max(v̂ᵢ, vᵢ/(1−β₂^t)) keeps the step from growing."""
    return (*_moments(h),
            rf"\hat m_i = \frac{{m_i}}{{1 - {num(h['b1'])}^t}},\quad "
            rf"\hat v_i \leftarrow \max\left(\hat v_i, \frac{{v_i}}{{1 - {num(h['b2'])}^t}}\right)",
            _adam_step(h))


def adabelief(h: H) -> tuple[str, ...]:
    """Zhuang et al.: sᵢ ← β₂sᵢ + (1−β₂)(gᵢ − mᵢ)² + ε_root, then Adam's step with ŝ."""
    b2 = h["b2"]
    return (rf"m_i \leftarrow {num(h['b1'])}\,m_i + {_one_minus(h['b1'])}\,g_i",
            rf"s_i \leftarrow {num(b2)}\,s_i + {_one_minus(b2)}\,(g_i - m_i)^2 + {num(h['eps_root'])}",
            _bias_corrected(h, v="s"),
            _adam_step(h, v=r"\hat s_i"))


def lion(h: H) -> tuple[str, ...]:
    """Chen et al.: cᵢ = sign(β₁mᵢ + (1−β₁)gᵢ);  mᵢ ← β₂mᵢ + (1−β₂)gᵢ;  θᵢ ← θᵢ − η(cᵢ + λθᵢ)."""
    b1, b2 = h["b1"], h["b2"]
    return (rf"c_i = \mathrm{{sign}}({num(b1)}\,m_i + {_one_minus(b1)}\,g_i)",
            rf"m_i \leftarrow {num(b2)}\,m_i + {_one_minus(b2)}\,g_i",
            rf"\theta_i \leftarrow \theta_i - {num(h['learning_rate'])}\,(c_i + {num(h['weight_decay'])}\,\theta_i)")


SYMBOLS = {"learning_rate": r"\eta", "momentum": r"\mu", "b1": r"\beta_1", "b2": r"\beta_2", "eps": r"\epsilon",
           "weight_decay": r"\lambda"}


def symbol(key: str) -> str:
    """A hyperparameter's usual symbol (η, β₁, ...), else its name in roman type."""
    return SYMBOLS.get(key, _text(key))


def _text(name: str) -> str:
    return r"\mathrm{" + name.replace("_", r"\_") + "}"


def optax_alias(alias: str, h: H) -> tuple[str, ...]:
    """θ ← θ + optax.alias(g; hyperparameters): the exact call, for aliases without a written-out rule."""
    args = r",\ ".join(f"{_text(k)}={v if isinstance(v, bool) else num(v)}" for k, v in h.items())
    return (rf"\theta \leftarrow \theta + {_text('optax.' + alias)}(g;\ {args})",)
