"""`render.py list [--surface S]`: surfaces (formula in plain text), optimizers (keys and defaults), views, chapters."""

from collections.abc import Sequence

from scenes.chapters import CHAPTERS
from scenes.views import VIEWS

from .options import Parser
from .plain_math import plain


def list_parser() -> Parser:
    parser = Parser(prog="render.py list", description="Name every surface, optimizer, view and chapter.")
    parser.add_argument("--surface", help="show the learning rates this surface gives each optimizer")
    return parser


def main(argv: Sequence[str]) -> int:
    from landscapes import LANDSCAPES, resolve_surface
    from optimizers.registry import FORMS, OPTIMIZERS, default_learning_rate, optimizer_keys
    from optimizers.schedules import SCHEDULES

    args = list_parser().parse(argv)
    surface = resolve_surface(args.surface) if args.surface else None
    if surface is not None:  # rates for a surface no optimizer could run on would mislead
        from optimizers.engine import check_finite, setup

        setup()
        check_finite(surface)
    print("Surfaces (--surface NAME[:key=value] or an expression in x, y):")
    for name, land in LANDSCAPES.items():
        params = ", ".join(f"{k}={v:g}" for k, v in land.parameters.items())
        shown = resolve_surface(name)
        print(f"  {name:18} {shown.title}{f'  [{params}]' if params else ''}\n"
              f"  {'':18} f = {plain(shown.formula)}")
    where = f" on {surface.spec}" if surface else " (learning rates: see `list --surface NAME`)"
    print(f"\nOptimizers (--optimizer NAME[:key=value,...]; also optax:<alias>){where}:")
    for name, info in OPTIMIZERS.items():
        values = {**info.defaults}
        if surface or "learning_rate" in info.defaults:
            values["learning_rate"] = default_learning_rate(name, info, surface)
        keys = ", ".join(f"{k}={values[k]:g}" if k in values else f"{k}=per surface" for k in optimizer_keys(info))
        print(f"  {name:10} {info.title:10} {keys}")
    print("  any of them also takes schedule=NAME (η_t; " + ", ".join(
        f"{n}{'(' + ', '.join(v) + ')' if v else ''}" for n, v in SCHEDULES.items()) + ") and l2=λ (an L2 penalty);"
          f" {', '.join(f'{n}:form={f}' for n, forms in FORMS.items() for f in forms)};"
          " FILE.py:FACTORY runs your own")
    print("\nViews (--view):")
    for name, view in VIEWS.items():
        print(f"  {name:10} {view.summary}")
    print("\nExplainer chapters (render.py explainer NAME|all):")
    for name, chapter in CHAPTERS.items():
        print(f"  {name:12} {chapter.summary}")
    return 0
