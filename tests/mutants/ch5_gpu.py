"""Mutants for chapter 5 (GPU). Those marked needs_cuda are reported skipped on CPU-only machines."""

from tests.mutants import correct, wrong

MUTANTS = [
    # pick_device
    wrong(
        "pick_device",
        "hard-coded cuda",
        [
            (
                'return torch.device("cuda" if torch.cuda.is_available() else "cpu")',
                'return torch.device("cuda")',
            )
        ],
        check="picks_what_this_machine_has",
        message="hard-coded 'cuda' breaks",
    ),
    wrong(
        "pick_device",
        "always the cpu",
        [
            (
                'return torch.device("cuda" if torch.cuda.is_available() else "cpu")',
                'return torch.device("cpu")',
            )
        ],
        check="follows_cuda_availability",
        message="when torch.cuda.is_available() returns True",
    ),
    correct(
        "pick_device",
        "the manual's string form",
        [
            (
                'return torch.device("cuda" if torch.cuda.is_available() else "cpu")',
                'return "cuda" if torch.cuda.is_available() else "cpu"',
            )
        ],
    ),
    # to_device
    wrong(
        "to_device",
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
        "to_device",
        "labels left behind",
        [("return inputs.to(device), labels.to(device)", "return inputs.to(device), labels")],
        check="batch_follows_the_device_argument",
        message="labels on meta",
    ),
    wrong(
        "to_device",
        "hard-coded cuda for the model",
        [("    model.to(device)\n    return model", '    model.to("cuda")\n    return model')],
        check="model_moves_in_place",
        message="hard-coded 'cuda'",
    ),
    wrong(
        "to_device",
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
        "to_device",
        "non_blocking transfers",
        [
            (
                "return inputs.to(device), labels.to(device)",
                "return inputs.to(device, non_blocking=True), labels.to(device, non_blocking=True)",
            )
        ],
    ),
    correct(
        "to_device",
        "return model.to(device)",
        [("    model.to(device)\n    return model", "    return model.to(device)")],
    ),
    # device_training
    wrong(
        "device_training",
        "labels not moved",
        [("inputs, labels = inputs.to(device), labels.to(device)", "inputs = inputs.to(device)")],
        check="every_tensor_reaches_the_device",
        message="labels still on the CPU",
    ),
    wrong(
        "device_training",
        "inputs not moved",
        [("inputs, labels = inputs.to(device), labels.to(device)", "labels = labels.to(device)")],
        check="every_tensor_reaches_the_device",
        message="inputs still on the CPU",
    ),
    wrong(
        "device_training",
        "hard-coded cuda",
        [
            (
                "inputs, labels = inputs.to(device), labels.to(device)",
                'inputs, labels = inputs.to("cuda"), labels.to("cuda")',
            )
        ],
        check="every_tensor_reaches_the_device",
        message="instead of a hard-coded 'cuda'",
    ),
    wrong(
        "device_training",
        ".numpy() on a CUDA tensor",
        [
            (
                "predictions.append(logits.argmax(dim=1).cpu().numpy())",
                "predictions.append(logits.argmax(dim=1).numpy())",
            )
        ],
        check="predictions_come_back_as_cpu_numpy[cuda]",
        message="call .cpu() before .numpy()",
        needs_cuda=True,
    ),
    wrong(
        "device_training",
        "labels not moved, on a real GPU",
        [("inputs, labels = inputs.to(device), labels.to(device)", "inputs = inputs.to(device)")],
        check="parameters_stay_on_cuda",
        message="",
        check_status="error",
        status="error",
        needs_cuda=True,
    ),
    correct(
        "device_training",
        "move inside the forward call",
        [
            (
                "inputs, labels = inputs.to(device), labels.to(device)",
                "labels = labels.to(device)\n        inputs = inputs.to(device)",
            )
        ],
    ),
    # device_checkpoint
    wrong(
        "device_checkpoint",
        "load without map_location",
        [
            (
                'model.load_state_dict(torch.load(path, map_location="cpu"))',
                "model.load_state_dict(torch.load(path))",
            )
        ],
        check="loads_a_gpu_checkpoint_on_the_cpu",
        message="map_location='cpu'",
    ),
    wrong(
        "device_checkpoint",
        "saves the whole model",
        [
            (
                "torch.save({name: tensor.cpu() for name, tensor in model.state_dict().items()}, path)",
                "torch.save(model, path)",
            )
        ],
        check="round_trip_on_each_device",
        message="Save model.state_dict()",
    ),
    wrong(
        "device_checkpoint",
        "saves CUDA tensors",
        [
            (
                "torch.save({name: tensor.cpu() for name, tensor in model.state_dict().items()}, path)",
                "torch.save(model.state_dict(), path)",
            )
        ],
        check="checkpoint_saved_on_cuda_holds_cpu_tensors",
        message="tensor.cpu()",
        needs_cuda=True,
    ),
    correct(
        "device_checkpoint",
        "map_location as a torch.device",
        [
            (
                'model.load_state_dict(torch.load(path, map_location="cpu"))',
                'model.load_state_dict(torch.load(path, map_location=torch.device("cpu")))',
            )
        ],
    ),
]
