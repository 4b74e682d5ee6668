"""TorchScript tracing, device independence and the checks a traced model must pass."""

import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path

import torch
import transformers
from torch import nn

Inputs = tuple[torch.Tensor, ...]


class TraceMismatchError(RuntimeError):
    """A traced model disagrees with the eager model it was traced from."""


def trace(model: nn.Module, example: Inputs) -> torch.jit.ScriptModule:
    """Traces `model` (in eval mode, without gradients) and makes the trace device independent.

    The tracer's warnings about shape-dependent Python branches are silenced: `check_matches`
    proves on other batch sizes and lengths that the trace generalizes.
    """
    model.eval()
    verbosity = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()  # tracing reads properties that log noise
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            traced = torch.jit.trace(model, example, check_trace=False)
    finally:
        transformers.logging.set_verbosity(verbosity)
    make_device_independent(traced)
    return traced


def make_device_independent(traced: torch.jit.ScriptModule) -> None:
    """Replaces every device constant the tracer recorded by the device of a graph input.

    Tracing on the CPU bakes `device="cpu"` into the tensors the model creates (CLIP's causal
    mask, `.to(dtype)` of attention masks); such a trace fails on a GPU. After this pass, every
    created tensor follows the device of the inputs, so one file serves CPU and GPU.
    """
    for module in traced.modules():
        if module._c._has_method("forward"):
            _replace_device_constants(module._c._get_method("forward").graph)


def device_constants(traced: torch.jit.ScriptModule) -> int:
    """How many device constants are left in the forward graphs of `traced` and its submodules."""
    return sum(
        len(_device_constant_nodes(module._c._get_method("forward").graph))
        for module in traced.modules()
        if module._c._has_method("forward")
    )


def _device_constant_nodes(graph: torch._C.Graph) -> list[torch._C.Node]:
    """The constant nodes of `graph` whose value is a device."""
    return [
        node
        for node in graph.findAllNodes("prim::Constant")
        if isinstance(node.output().type(), torch._C.DeviceObjType)
    ]


def _replace_device_constants(graph: torch._C.Graph) -> None:
    """Makes each device constant's uses in `graph` use `prim::device` of its first tensor input."""
    constants = _device_constant_nodes(graph)
    if not constants:
        return
    tensor_inputs = [
        value for value in graph.inputs() if isinstance(value.type(), torch._C.TensorType)
    ]
    if not tensor_inputs:
        raise TraceMismatchError(f"graph with a device constant has no tensor input:\n{graph}")
    device = graph.create("prim::device", [tensor_inputs[0]])
    device.output().setType(torch._C.DeviceObjType.get())
    device.insertBefore(next(iter(graph.nodes())))
    for constant in constants:
        constant.output().replaceAllUsesWith(device.output())
        constant.destroy()


def save_and_reload(traced: torch.jit.ScriptModule, path: Path) -> torch.jit.ScriptModule:
    """Saves a traced model and loads it back, as the service will, in eval mode."""
    torch.jit.save(traced, str(path))
    strip_debug_info(path)
    return torch.jit.load(str(path), map_location="cpu").eval()


def strip_debug_info(path: Path) -> None:
    """Removes the archive's `*.debug_pkl` entries.

    They map graph nodes to the Python source that traced them, absolute paths of the exporting
    machine included; libtorch loads the model without them, and the bundle then no longer
    depends on where it was exported.
    """
    with zipfile.ZipFile(path) as archive:
        entries = [
            (info, archive.read(info.filename))
            for info in archive.infolist()
            if not info.filename.endswith(".debug_pkl")
        ]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for info, data in entries:
            archive.writestr(info, data)


def check_matches(
    eager: nn.Module, traced: torch.jit.ScriptModule, cases: Sequence[Inputs], tolerance: float
) -> float:
    """Runs both models on each input set and raises unless they agree within `tolerance`.

    Returns the largest absolute difference seen.
    """
    eager.eval()
    largest = 0.0
    with torch.no_grad():
        for inputs in cases:
            expected, actual = eager(*inputs), traced(*inputs)
            if expected.shape != actual.shape:
                raise TraceMismatchError(
                    f"shape {tuple(actual.shape)}, eager {tuple(expected.shape)}"
                )
            difference = (expected - actual).abs().max().item()
            if not difference <= tolerance:
                shapes = [tuple(t.shape) for t in inputs]
                raise TraceMismatchError(
                    f"inputs {shapes}: traced differs from eager by {difference}"
                )
            largest = max(largest, difference)
    if device_constants(traced):
        raise TraceMismatchError("the traced model still has device constants")
    return largest
