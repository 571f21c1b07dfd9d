"""Results too large for memory are refused from their shapes, before numpy allocates them."""

import numpy as np
import pytest

from gradtutor import memory
from gradtutor.expr import ExprError, build


@pytest.mark.parametrize("shapes, matmul", [
    ([(3,), (4, 1)], False), ([(2, 1, 5), (7, 1)], False), ([(), (3, 2)], False),
    ([(4, 3), (3, 5)], True), ([(3,), (3, 5)], True), ([(4, 3), (3,)], True), ([(6, 4, 3), (3, 2)], True),
])
def test_result_shape_is_numpys(shapes, matmul):
    arrays = [np.ones(shape) for shape in shapes]
    expected = (arrays[0] @ arrays[1]) if matmul else np.broadcast_arrays(*arrays)[0]
    assert memory.result_shape(shapes, matmul) == expected.shape


@pytest.mark.parametrize("shapes, matmul", [([(3,), (4,)], False), ([(4, 3), (2, 5)], False), ([(), (3,)], True)])
def test_shapes_that_do_not_fit_are_left_to_the_op(shapes, matmul):
    if not matmul:
        assert memory.result_shape(shapes, matmul) is None
    memory.check_result(shapes, matmul)  # the op itself says what does not fit


def test_a_huge_broadcast_is_refused_with_its_size():
    with pytest.raises(memory.MemoryLimitError, match=r"shape \(30000, 60000\), 1,800,000,000 numbers: about 28.8 GB"):
        memory.check_result([(60000,), (30000, 1)])


def test_an_expression_whose_broadcast_is_too_big_is_refused_where_it_happens():
    x, w = [1.0] * 60000, [[1.0]] * 30000
    with pytest.raises(ExprError, match=r"GB of memory .* while computing x \+ W"):
        build("sum(x + W)", [f"x={x}".replace(" ", ""), f"W={w}".replace(" ", "")])
