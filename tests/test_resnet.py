"""Residual networks on the engine: the residual block's gradients in float64 (identity and 1×1
shortcuts, and without one), its cost, the small ResNet, its plain twin and the small VGG, the
gradient norms per layer (plain against residual), their view, and the command that shows it."""

import json
import subprocess
import sys

import numpy as np
import pytest
from test_layer_cost import check
from test_layers import check_layer

from gradtutor import backend, names
from gradtutor.render.gradnorms import gradient_norms
from gradtutor.tensor import Tensor
from gradtutor.train import gradnorms, models
from gradtutor.train import layers as L
from render_golden import assert_golden, console_text


@pytest.mark.parametrize("in_channels, out_channels, stride, residual", [
    (2, 2, 1, True),   # identity shortcut: y = ReLU(F(x) + x)
    (2, 3, 2, True),   # 1×1 convolution shortcut, downsampling
    (2, 3, 1, False),  # the plain block: y = ReLU(F(x))
])
def test_residual_block_gradients(in_channels, out_channels, stride, residual):
    block = L.ResidualBlock(in_channels, out_channels, stride, residual=residual, rng=1)
    assert (block.shortcut is not None) == (residual and (stride != 1 or in_channels != out_channels))
    check_layer(block, np.random.default_rng(2).normal(size=(3, in_channels, 5, 5)))


def test_the_identity_shortcut_adds_the_input_itself():
    block = L.ResidualBlock(2, 2, rng=0)
    plain = L.ResidualBlock(2, 2, residual=False, rng=0)  # the same weights: the same seed
    x = np.random.default_rng(0).normal(size=(2, 2, 4, 4)).astype(np.float32)
    inside = plain.bn2(plain.conv2(plain.bn1(plain.conv1(L.as_input(x))).relu())).data  # F(x)
    np.testing.assert_allclose(block(x).data, np.maximum(inside + x, 0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(plain(x).data, np.maximum(inside, 0), rtol=1e-5, atol=1e-6)


def test_residual_block_cost_counts_both_convolutions_and_the_shortcut():
    c, k = 8, 16
    same = check(L.ResidualBlock(c, c, rng=0), (c, 14, 14), 2 * 14 * 14 * c * c * 9)
    assert same.parameters == 2 * (c * c * 9 + c) + 2 * 2 * c  # two convs and two batch norms (γ, β)
    wider = check(L.ResidualBlock(c, k, 2, rng=0), (c, 14, 14), 7 * 7 * k * (c * 9 + k * 9 + c))
    assert wider.output_shape == (k, 7, 7)
    check(L.ResidualBlock(c, k, 2, residual=False, rng=0), (c, 14, 14), 7 * 7 * k * (c * 9 + k * 9))


def test_resnet_and_its_plain_twin_share_every_layer_but_the_shortcuts():
    resnet, plain = models.ResNet(seed=3), models.PlainNet(seed=3)
    x = Tensor(np.zeros((2, 1, 28, 28), dtype=np.float32))
    assert resnet(x).shape == plain(x).shape == (2, 10)
    resnet_weights = dict(resnet.named_parameters())
    shortcuts = [name for name in resnet_weights if "shortcut" in name]
    assert shortcuts and all(".layers.2." in name for name in shortcuts)  # the block that widens to 16
    assert set(resnet_weights) - set(shortcuts) == set(dict(plain.named_parameters()))
    assert resnet.parameter_count() - plain.parameter_count() == 8 * 16 + 16 + 2 * 16  # 1×1 conv + its BN
    main = gradnorms.main_path_weights(resnet)
    assert len(main) == 1 + 2 * 4 + 1  # stem, two convolutions in each of 4 blocks, the affine layer
    assert [len(gradnorms.main_path_weights(models.ResNet(blocks=b))) for b in (1, 6)] == [6, 26]
    check(resnet, (1, 28, 28), resnet.cost((1, 28, 28)).multiply_adds)


def test_vgg_shapes_and_parameters():
    vgg = models.VGG()
    shapes, x = [], Tensor(np.zeros((1, 1, 28, 28), dtype=np.float32))
    for layer in vgg.features:
        x = layer(x)
        shapes.append(x.shape[1:])
    assert [s for s, layer in zip(shapes, vgg.features) if isinstance(layer, L.MaxPool2d)] == [(8, 14, 14), (16, 7, 7)]
    # 3×3 convolutions 1→8, 8→8, 8→16, 16→16, then 784 → 64 → 10
    assert vgg.parameter_count() == (8 * 9 + 8) + (64 * 9 + 8) + (128 * 9 + 16) + (256 * 9 + 16) + (784 * 64 + 64) + 650
    with pytest.raises(ValueError, match="leave nothing"):
        models.VGG(image_size=2)


def test_small_networks_gradients_end_to_end():
    check_layer(models.ResNet(image_size=8, widths=(2, 3), blocks=1, classes=3, seed=0),
                np.random.default_rng(4).normal(size=(2, 1, 8, 8)))
    check_layer(models.VGG(image_size=4, widths=(2,), hidden=3, classes=2, seed=0),
                np.random.default_rng(5).normal(size=(2, 1, 4, 4)))


def test_arch_names_are_the_models():
    assert names.names("arch") == ("lenet", "vgg", "resnet")
    assert [names.resolve("arch", name) for name in names.names("arch")] == [models.LeNet, models.VGG, models.ResNet]
    from gradtutor import cli

    assert tuple(member.value for member in cli.ArchName) == names.names("arch")


def test_gradient_norms_spread_far_in_the_plain_net_and_stay_close_in_the_residual_one():
    comparison = gradnorms.compare(seed=0)
    assert [g.where for g in comparison.plain] == [g.where for g in comparison.residual]
    assert comparison.plain[0].where == ("stem",) and comparison.plain[1].where == ("block", 1, 1)
    assert comparison.plain[-1].where == ("affine",) and len(comparison.plain) == 26
    assert gradnorms.spread(comparison.plain) > 20 > 10 > gradnorms.spread(comparison.residual)
    # the plain net's gradient shrinks from the first block to the last by more than ten times
    assert comparison.plain[1].norm > 10 * comparison.plain[-2].norm
    assert comparison.residual[1].norm < 10 * comparison.residual[-2].norm


def test_gradient_norms_are_the_engine_gradients_on_every_backend(xp):
    model = models.ResNet(image_size=8, widths=(2, 3), blocks=1, seed=0)
    x = np.random.default_rng(0).normal(size=(4, 1, 8, 8)).astype(np.float32)
    y = np.array([0, 1, 2, 3])
    found = gradnorms.gradient_norms(model, x, y)
    for gradient, (name, weight) in zip(found, gradnorms.main_path_weights(model)):
        expected = np.linalg.norm(backend.to_host(weight.grad))
        assert gradient.name == name and gradient.norm == pytest.approx(float(expected), rel=1e-5)


ROWS = [(("stem",), 2.4, 0.66), (("block", 1, 1), 11.2, 1.54), (("block", 1, 2), 7.67, 1.78),
        (("block", 2, 1), 0.4, 0.399), (("block", 2, 2), 0.238, 0.311), (("affine",), 0.215, 2.37)]


@pytest.mark.parametrize("lang, width", [("en", 80), ("en", 60), ("ko", 80), ("ko", 60)])
def test_gradient_norms_view_golden(lang, width):
    text = console_text(gradient_norms(ROWS, lang, batch=32), width=width)
    assert_golden(f"gradnorms-{lang}-{width}.txt", text)
    assert max(len(line) for line in text.splitlines()) <= width
    assert "52.1" in text and "7.62" in text  # largest ÷ smallest: 11.2/0.215 and 2.37/0.311


def test_bars_grow_with_the_norm_on_a_log_scale():
    import re

    lines = [line for line in console_text(gradient_norms(ROWS, "en", batch=32), width=80).splitlines() if "█" in line]
    bars = [[len(run) for run in re.findall("█+", line)] for line in lines]  # [plain, residual] per row
    lengths = {norm: bar for (_, plain, residual), (plain_bar, residual_bar) in zip(ROWS, bars)
               for norm, bar in ((plain, plain_bar), (residual, residual_bar))}
    ordered = [lengths[norm] for norm in sorted(lengths)]
    assert ordered == sorted(ordered) and ordered[0] == 1 and ordered[-1] == max(ordered) > 6
    assert lengths[11.2] == max(ordered)  # the largest norm has the longest bar


def gradtutor(*args):
    return subprocess.run([sys.executable, "-m", "gradtutor", *args], capture_output=True, text=True, timeout=180)


def test_the_command_shows_the_norms_and_refuses_other_architectures():
    result = gradtutor("train", "cnn", "--arch", "resnet", "--grad-norms", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    plain, residual = ([g["norm"] for g in data[kind]] for kind in ("plain", "residual"))
    assert len(plain) == len(residual) == 26 and max(plain) / min(plain) > 10 > max(residual) / min(residual)
    shown = gradtutor("train", "cnn", "--arch", "resnet", "--grad-norms", "--lang", "ko")
    assert shown.returncode == 0 and "잔차 망" in shown.stdout and "블록 12 합성곱 2" in shown.stdout
    refused = gradtutor("train", "cnn", "--grad-norms")
    assert refused.returncode == 2 and refused.stderr.startswith("error: --grad-norms compares the resnet")
    assert "Traceback" not in refused.stderr


def test_lessons_read_the_gradient_spread_and_show_the_norms():
    from gradtutor.tutor import networks
    from gradtutor.tutor import training as runs

    resnet = networks.network("model", "resnet(blocks=6)")
    plain = networks.network("model", "plainnet(blocks=6)")
    assert resnet.input_shape == (1, 28, 28)
    comparison = gradnorms.compare(seed=0)
    assert networks.gradient_spread(plain) == pytest.approx(gradnorms.spread(comparison.plain))
    assert networks.gradient_spread(resnet) == pytest.approx(gradnorms.spread(comparison.residual))
    with pytest.raises(networks.SpecError, match="compare resnet with plainnet"):
        networks.gradient_spread(networks.network("model", "lenet"))
    with pytest.raises(networks.SpecError, match="synthetic digits"):
        networks.gradient_spread(networks.network("model", "resnet(size=16)"))
    assert networks.inspect(networks.network("layer", "residual(in=8, out=16, stride=2)", [8, 14, 14])).params == 3728
    assert runs.spec("r", {"model": "cnn", "arch": "resnet"}).arch == "resnet"
    with pytest.raises(runs.TrainingError, match="unknown architecture 'resnt'; did you mean 'resnet'"):
        runs.spec("r", {"model": "cnn", "arch": "resnt"})
    with pytest.raises(runs.TrainingError, match="has no architectures"):
        runs.spec("r", {"model": "mlp", "data": "xor", "arch": "vgg"})
