"""Mutants of pick_device (ch5_gpu): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

PICK = 'return torch.device("cuda" if torch.cuda.is_available() else "cpu")'

MUTANTS = [
    wrong(
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
    # heldout cuda_build_check was told it hard-coded 'cuda'.
    wrong(
        "asks how torch was built",
        [
            (
                'return torch.device("cuda" if torch.cuda.is_available() else "cpu")',
                'return torch.device("cuda" if torch.version.cuda is not None else "cpu")',
            )
        ],
        check="follows_cuda_availability",
        message="asks how torch was built",
    ),
    wrong(
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
        "the manual's string form",
        [
            (
                'return torch.device("cuda" if torch.cuda.is_available() else "cpu")',
                'return "cuda" if torch.cuda.is_available() else "cpu"',
            )
        ],
    ),
    # Promoted from the beginner set (tests/beginners/ch5_gpu): pick_device
    wrong(
        "is_available without ()",
        [(PICK, 'return torch.device("cuda" if torch.cuda.is_available else "cpu")')],
        check="picks_what_this_machine_has",
        message="without () is the function itself",
    ),
    wrong(
        "branches the wrong way round",
        [(PICK, 'return torch.device("cpu" if torch.cuda.is_available() else "cuda")')],
        check="follows_cuda_availability",
        message="wrong way round",
    ),
    wrong(
        "upper-case device names",
        [(PICK, 'return "CUDA" if torch.cuda.is_available() else "CPU"')],
        check="picks_what_this_machine_has",
        message="Device types are lower-case",
    ),
    wrong(
        "returns the bool",
        [(PICK, "return torch.cuda.is_available()")],
        check="picks_what_this_machine_has",
        message="You returned the bool",
    ),
    wrong(
        "prints instead of returning",
        [(PICK, 'print(torch.device("cuda" if torch.cuda.is_available() else "cpu"))')],
        check="picks_what_this_machine_has",
        message="printed",
    ),
    correct(
        "the manual's G1 module-level constant",
        [
            (
                "import torch\n",
                'import torch\n\ndevice = "cuda" if torch.cuda.is_available() else "cpu"\n',
            ),
            (PICK, "return torch.device(device)"),
        ],
    ),
]
