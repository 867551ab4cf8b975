"""Mutants of to_device (ch5_gpu): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

MUTANTS = [
    wrong(
        "to() without keeping the result",
        [
            (
                "return inputs.to(device), labels.to(device)",
                "inputs.to(device)\n    labels.to(device)\n    return inputs, labels",
            )
        ],
        check="batch_follows_the_device_argument",
        message="returns a new tensor",
    ),
    wrong(
        "labels left behind",
        [("return inputs.to(device), labels.to(device)", "return inputs.to(device), labels")],
        check="batch_follows_the_device_argument",
        message="labels on meta",
    ),
    wrong(
        "hard-coded cuda for the model",
        [("    model.to(device)\n    return model", '    model.to("cuda")\n    return model')],
        check="model_moves_in_place",
        message="hard-coded 'cuda'",
    ),
    wrong(
        "returns a moved copy",
        [
            (
                "    model.to(device)\n    return model",
                "    import copy\n\n    return copy.deepcopy(model).to(device)",
            )
        ],
        check="model_moves_in_place",
        message="the same model object",
    ),
    correct(
        "non_blocking transfers",
        [
            (
                "return inputs.to(device), labels.to(device)",
                "return inputs.to(device, non_blocking=True), labels.to(device, non_blocking=True)",
            )
        ],
    ),
    correct(
        "return model.to(device)",
        [("    model.to(device)\n    return model", "    return model.to(device)")],
    ),
    wrong(
        "device argument overwritten by the G1 line",
        [
            (
                "return inputs.to(device), labels.to(device)",
                (
                    'device = "cuda" if torch.cuda.is_available() else "cpu"\n'
                    "    return inputs.to(device), labels.to(device)"
                ),
            )
        ],
        check="batch_follows_the_device_argument",
        message="not to the `device` argument",
    ),
    wrong(
        ".cpu() instead of .to(device)",
        [("return inputs.to(device), labels.to(device)", "return inputs.cpu(), labels.cpu()")],
        check="batch_follows_the_device_argument",
        message="with .cpu(), which always goes to the CPU",
    ),
    wrong(
        "(labels, inputs) returned",
        [
            (
                "return inputs.to(device), labels.to(device)",
                "return labels.to(device), inputs.to(device)",
            )
        ],
        check="batch_values_survive_the_move",
        message="in the other order",
    ),
    wrong(
        "labels turned into floats",
        [
            (
                "return inputs.to(device), labels.to(device)",
                "return inputs.to(device), labels.to(device).float()",
            )
        ],
        check="batch_values_survive_the_move",
        message="labels to stay int64",
    ),
    wrong(
        "parameters moved one by one through .data",
        [
            (
                "    model.to(device)\n    return model",
                "    for p in model.parameters():\n        p.data = p.data.to(device)\n    return model",
            )
        ],
        check="model_moves_in_place",
        message="leave the buffers",
        status="error",
    ),
    wrong(
        "model.cuda()",
        [("    model.to(device)\n    return model", "    model.cuda()\n    return model")],
        check="model_moves_in_place",
        message="calls .cuda(), which always asks for a GPU",
    ),
    wrong(
        "a list where the tuple is promised",
        [("return inputs.to(device), labels.to(device)", "return [t.to(device) for t in (inputs, labels)]")],
        check="batch_follows_the_device_argument",
        message="a list of two items where a tuple is expected",
    ),
]
