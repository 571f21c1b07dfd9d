"""The network family: one real layer or model of the training package (`layer = "conv2d(…)"`,
`model = "lenet"`, with `input_shape`), run once on zeros (gradtutor.tutor.networks).

Quantities: shape/width/height/channels/size of :output or :layer:I, params, params:layer:I,
gradnorm:T, gradspread. Views: layers, gradnorms (resnet and plainnet: the two side by side).
"""

from __future__ import annotations

from dataclasses import replace

from gradtutor.render.training import layers_table
from gradtutor.tutor import networks
from gradtutor.tutor.quantities import Quantity, QuantityError
from gradtutor.tutor.source_family import SourceFamily

KINDS = ("shape", "width", "height", "channels", "size", "params", "gradnorm", "gradspread")
_AXES = {"channels": 0, "height": 1, "width": 2}


class NetworkFamily(SourceFamily):
    name = "network"
    description = "layer or model"
    keys = ("layer", "model")
    companions = {"input_shape": 'layer = "…" or model = "…"'}
    views = ("layers", "gradnorms")
    default_view = "layers"
    quantity_forms = (
        "shape:output, shape:layer:I, width/height/channels/size:output or :layer:I, params, params:layer:I, gradnorm:T, "
        "gradspread"
    )

    def parse(self, raw, entries, report) -> networks.Network | None:
        what = next(key for key in self.keys if raw.get(key) is not None)
        text, input_shape = raw[what], raw.get("input_shape")
        if not isinstance(text, str):
            report.problem(f"{what} must be text like \"conv2d(in=3, out=6, kernel=5)\", got {text!r}")
            return None
        if input_shape is not None and not isinstance(input_shape, list):
            report.problem(f"input_shape must be a list like [3, 32, 32], got {input_shape!r}")
            return None
        try:
            return networks.network(what, text, input_shape)
        except networks.SpecError as exc:
            report.problem(str(exc))
            return None

    def parse_quantity(self, kind, parts, text) -> Quantity | None:
        """shape:output, shape:layer:2, width:output, params, params:layer:1, gradnorm:50 …"""
        if kind not in KINDS:
            return None
        number = kind != "shape"
        if kind in ("params", "gradspread") and not parts:
            return Quantity(kind, text, family=self.name, number=True)
        if kind == "gradnorm":
            if len(parts) == 1 and parts[0].isdigit() and int(parts[0]) >= 1:
                return Quantity(kind, text, index=int(parts[0]), family=self.name, number=True)
            return None
        if parts == ["output"] and kind != "params":
            return Quantity(kind, text, of="output", family=self.name, number=number)
        if len(parts) == 2 and parts[0] == "layer" and parts[1].isdigit() and int(parts[1]) >= 1:
            return Quantity(kind, text, of="layer", index=int(parts[1]), family=self.name, number=number)
        return None

    def solve(self, source: networks.Network) -> networks.Report:
        return networks.inspect(source)

    def quantity(self, q, report: networks.Report):
        """A shape tuple or a whole number (see lessons/README.md)."""
        if q.kind in ("gradnorm", "gradspread"):
            try:
                if q.kind == "gradspread":
                    return networks.gradient_spread(report.source)
                return networks.gradnorm(report.source, q.index)
            except networks.SpecError as exc:
                raise QuantityError(str(exc)) from None
        if q.kind == "params" and q.of is None:
            return report.params
        if q.of == "layer":
            if not 1 <= q.index <= len(report.layers):
                raise QuantityError(
                    f"{q.text}: {report.source.text} has layers 1 to {len(report.layers)} "
                    f"({', '.join(layer.name for layer in report.layers)})"
                )
            layer = report.layers[q.index - 1]
            if q.kind == "params":
                return layer.params
            shape = layer.shape
        else:
            shape = report.output
        if q.kind == "shape":
            return shape
        if q.kind == "size":
            count = 1
            for n in shape:
                count *= n
            return count
        if len(shape) != 3:
            raise QuantityError(f"{q.text}: {q.kind} is read off an image shape (channels, height, width), not {shape}")
        return shape[_AXES[q.kind]]

    def known_mistakes(self, q, report: networks.Report) -> list[tuple[object, str]]:
        """The size going INTO the layer instead of coming out of it, the weights without the biases."""
        mistakes = []
        if q.kind == "params":
            module = networks.build(report.source)
            weights = sum(p.size for p in module.parameters() if p.ndim > 1)
            if q.of == "layer":
                weights = networks.layer_weights(module, q.index)
            mistakes.append((weights, "no_bias"))
        elif q.kind in ("shape", "width", "height", "channels", "size"):
            index = q.index if q.of == "layer" else len(report.layers)
            if index is not None and 1 <= index <= len(report.layers):
                before = report.layers[index - 2].shape if index >= 2 else report.source.input_shape
                preceding = networks.Report(report.source, report.layers[: index - 1], tuple(before), report.params)
                try:
                    wrong = self.quantity(replace(q, of="output", index=None), preceding)
                except QuantityError:  # the input has no such axis (width of a vector): no such slip
                    wrong = None
                if wrong is not None:
                    mistakes.append((wrong, "layer_input"))
        answer = self.quantity(q, report)
        return [(value, key) for value, key in mistakes if value != answer]

    def check_show(self, step, report) -> None:
        if step.view == "gradnorms" and step.source is not None and step.source.kind not in networks.RESIDUAL_TWINS:
            report.problem(f"view gradnorms needs model resnet or plainnet, not {step.source.kind}")

    def view(self, step, report, lang):
        if getattr(step, "view", None) == "gradnorms":  # step None: the default view, layers
            from gradtutor.render.gradnorms import gradient_norms
            from gradtutor.train import gradnorms

            comparison = networks.gradient_norms(report.source)
            return gradient_norms(gradnorms.rows(comparison), lang, comparison.batch)
        return _layers(report, lang)

    def solution(self, step, key, lang) -> list:
        """The layers table up to the layer asked about (all of it for output and params)."""
        upto = step.quantity.index if step.quantity.of == "layer" else None
        return [_layers(key.trace, lang, upto)]


def _layers(report: networks.Report, lang: str, upto: int | None = None):
    """The input shape, then one row per layer (output shape, parameters) and the total."""
    rows = [(layer.name, layer.shape, layer.params) for layer in report.layers]
    return layers_table(report.source.text, report.source.input_shape, rows, report.output, report.params, lang, upto)


NETWORK = NetworkFamily()
