"""Mutants of device_checkpoint (ch5_gpu): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

MUTANTS = [
    wrong(
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
        "map_location as a torch.device",
        [
            (
                'model.load_state_dict(torch.load(path, map_location="cpu"))',
                'model.load_state_dict(torch.load(path, map_location=torch.device("cpu")))',
            )
        ],
    ),
    wrong(
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
        "tensor.cpu without ()",
        [("{name: tensor.cpu() for name", "{name: tensor.cpu for name")],
        check="round_trip_on_each_device",
        message="without () is the method",
    ),
    wrong(
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
]
