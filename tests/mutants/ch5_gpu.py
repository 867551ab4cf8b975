"""Mutants for chapter 5 (GPU). Those marked needs_cuda are reported skipped on CPU-only machines."""

from tests.mutants import correct, wrong

PICK = 'return torch.device("cuda" if torch.cuda.is_available() else "cpu")'

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
        message="has a hard-coded 'cuda'",
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
    # Promoted from the beginner set (tests/beginners/ch5_gpu): pick_device
    wrong(
        "pick_device",
        "is_available without ()",
        [(PICK, 'return torch.device("cuda" if torch.cuda.is_available else "cpu")')],
        check="picks_what_this_machine_has",
        message="without () is the function itself",
    ),
    wrong(
        "pick_device",
        "branches the wrong way round",
        [(PICK, 'return torch.device("cpu" if torch.cuda.is_available() else "cuda")')],
        check="follows_cuda_availability",
        message="wrong way round",
    ),
    wrong(
        "pick_device",
        "upper-case device names",
        [(PICK, 'return "CUDA" if torch.cuda.is_available() else "CPU"')],
        check="picks_what_this_machine_has",
        message="Device types are lower-case",
    ),
    wrong(
        "pick_device",
        "returns the bool",
        [(PICK, "return torch.cuda.is_available()")],
        check="picks_what_this_machine_has",
        message="You returned the bool",
    ),
    wrong(
        "pick_device",
        "prints instead of returning",
        [(PICK, 'print(torch.device("cuda" if torch.cuda.is_available() else "cpu"))')],
        check="picks_what_this_machine_has",
        message="printed",
    ),
    correct(
        "pick_device",
        "the manual's G1 module-level constant",
        [
            (
                "import torch\n",
                'import torch\n\ndevice = "cuda" if torch.cuda.is_available() else "cpu"\n',
            ),
            (PICK, "return torch.device(device)"),
        ],
    ),
    # to_device
    wrong(
        "to_device",
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
        "to_device",
        ".cpu() instead of .to(device)",
        [("return inputs.to(device), labels.to(device)", "return inputs.cpu(), labels.cpu()")],
        check="batch_follows_the_device_argument",
        message="with .cpu(), which always goes to the CPU",
    ),
    wrong(
        "to_device",
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
        "to_device",
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
        "to_device",
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
        "to_device",
        "model.cuda()",
        [("    model.to(device)\n    return model", "    model.cuda()\n    return model")],
        check="model_moves_in_place",
        message="calls .cuda(), which always asks for a GPU",
    ),
    # device_training
    wrong(
        "device_training",
        ".numpy() without .cpu(), caught on the meta device",
        [
            (
                "predictions.append(logits.argmax(dim=1).cpu().numpy())",
                "predictions.append(logits.argmax(dim=1).numpy())",
            )
        ],
        check="predict_moves_to_the_device_and_back",
        message="call .cpu() before .numpy()",
    ),
    wrong(
        "device_training",
        "predict leaves the inputs on the CPU",
        [("logits = model(inputs.to(device))", "logits = model(inputs)")],
        check="predict_moves_to_the_device_and_back",
        message="never moves the inputs",
    ),
    wrong(
        "device_training",
        ".to() without keeping the result",
        [
            (
                "inputs, labels = inputs.to(device), labels.to(device)",
                "inputs.to(device)\n        labels.to(device)",
            )
        ],
        check="every_tensor_reaches_the_device",
        message="returns a new tensor",
    ),
    wrong(
        "device_training",
        "the G1 line inside the loop",
        [
            (
                "inputs, labels = inputs.to(device), labels.to(device)",
                (
                    'device = "cuda" if torch.cuda.is_available() else "cpu"\n'
                    "        inputs, labels = inputs.to(device), labels.to(device)"
                ),
            )
        ],
        check="every_tensor_reaches_the_device",
        message="not to the `device` argument",
    ),
    wrong(
        "device_training",
        "float labels",
        [
            (
                "inputs, labels = inputs.to(device), labels.to(device)",
                "inputs, labels = inputs.to(device), labels.to(device).float()",
            )
        ],
        check="epoch_matches_reference",
        message="labels as integer class indices",
    ),
    wrong(
        "device_training",
        "argmax over the batch axis",
        [("logits.argmax(dim=1)", "logits.argmax(dim=0)")],
        check="predictions_come_back_as_cpu_numpy",
        message="argmax over dim=0",
    ),
    wrong(
        "device_training",
        "predictions as floats",
        [("logits.argmax(dim=1).cpu().numpy()", "logits.argmax(dim=1).float().cpu().numpy()")],
        check="predictions_come_back_as_cpu_numpy",
        message="class indices stored as floats",
    ),
    correct(
        "device_training",
        ".tolist() into a list",
        [
            (
                "predictions.append(logits.argmax(dim=1).cpu().numpy())",
                "predictions.append(np.array(logits.argmax(dim=1).tolist(), dtype=np.int64))",
            )
        ],
    ),
    # device_checkpoint
    wrong(
        "device_checkpoint",
        "saves CUDA tensors, caught on the CPU",
        [
            (
                "torch.save({name: tensor.cpu() for name, tensor in model.state_dict().items()}, path)",
                "torch.save(model.state_dict(), path)",
            )
        ],
        check="checkpoint_from_a_gpu_model_holds_cpu_tensors",
        message="saved on cuda:0",
    ),
    wrong(
        "device_checkpoint",
        "moves the model itself to the CPU",
        [
            (
                "torch.save({name: tensor.cpu() for name, tensor in model.state_dict().items()}, path)",
                "torch.save(model.cpu().state_dict(), path)",
            )
        ],
        check="checkpoint_from_a_gpu_model_holds_cpu_tensors",
        message="You moved the model itself to the CPU",
    ),
    wrong(
        "device_checkpoint",
        "returns what load_state_dict returns",
        [
            (
                'model.load_state_dict(torch.load(path, map_location="cpu"))\n    return model',
                'return model.load_state_dict(torch.load(path, map_location="cpu"))',
            )
        ],
        check="loads_a_gpu_checkpoint_on_the_cpu",
        message="missing and unexpected keys",
    ),
    wrong(
        "device_checkpoint",
        ".cpu() on the state_dict",
        [
            (
                "torch.save({name: tensor.cpu() for name, tensor in model.state_dict().items()}, path)",
                "torch.save(model.state_dict().cpu(), path)",
            )
        ],
        check="round_trip_on_each_device",
        message="a dict has no .cpu()",
        status="error",
    ),
    wrong(
        "device_checkpoint",
        "tensor.cpu without ()",
        [("{name: tensor.cpu() for name", "{name: tensor.cpu for name")],
        check="round_trip_on_each_device",
        message="without () is the method",
    ),
    wrong(
        "device_checkpoint",
        "map_location to CUDA",
        [
            (
                'model.load_state_dict(torch.load(path, map_location="cpu"))',
                'model.load_state_dict(torch.load(path, map_location="cuda"))',
            )
        ],
        check="loads_a_gpu_checkpoint_on_the_cpu",
        message="Your map_location maps the tensors to CUDA",
    ),
    wrong(
        "device_checkpoint",
        "parameters only, no buffers",
        [
            (
                "torch.save({name: tensor.cpu() for name, tensor in model.state_dict().items()}, path)",
                "torch.save({name: p.detach().cpu() for name, p in model.named_parameters()}, path)",
            )
        ],
        check="round_trip_on_each_device",
        message="not only named_parameters()",
    ),
    wrong(
        "device_checkpoint",
        "the path passed to load_state_dict",
        [
            (
                'model.load_state_dict(torch.load(path, map_location="cpu"))',
                'model.load_state_dict(path, map_location="cpu")',
            )
        ],
        check="loads_a_gpu_checkpoint_on_the_cpu",
        message="load_state_dict takes the loaded dict",
        status="error",
    ),
    correct(
        "device_checkpoint",
        "a loop of .to('cpu') and map_location as a function",
        [
            (
                "torch.save({name: tensor.cpu() for name, tensor in model.state_dict().items()}, path)",
                (
                    "state = model.state_dict()\n    for name in state:\n"
                    '        state[name] = state[name].detach().clone().to("cpu")\n    torch.save(state, path)'
                ),
            ),
            (
                'model.load_state_dict(torch.load(path, map_location="cpu"))',
                (
                    "model.load_state_dict(\n"
                    "        torch.load(path, map_location=lambda storage, location: storage)\n    )"
                ),
            ),
        ],
    ),
    # Erratum E3 lists the average of the batch means as a correct form of the epoch loss.
    correct(
        "device_training",
        "epoch loss averaged over batches (E3's second correct form)",
        [("total += loss.item() * len(labels)\n        count += len(labels)",
          "total += loss.item()\n        count += 1")],
    ),
]
