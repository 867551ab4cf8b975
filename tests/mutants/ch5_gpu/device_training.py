"""Mutants of device_training (ch5_gpu): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

MUTANTS = [
    # Named by the generic diagnosis (grader/toolkit/diagnose.py, grader/explain.py): no check
    # lists these slips.
    wrong("predict keeps the logits, not their argmax",
          [("predictions.append(logits.argmax(dim=1).cpu().numpy())", "predictions.append(logits.cpu().numpy())")],
          check="predictions_come_back_as_cpu_numpy", message="not the scores: .argmax(axis=1)"),

    wrong(
        "labels not moved",
        [("inputs, labels = inputs.to(device), labels.to(device)", "inputs = inputs.to(device)")],
        check="every_tensor_reaches_the_device",
        message="labels still on the CPU",
    ),
    wrong(
        "inputs not moved",
        [("inputs, labels = inputs.to(device), labels.to(device)", "labels = labels.to(device)")],
        check="every_tensor_reaches_the_device",
        message="inputs still on the CPU",
    ),
    wrong(
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
        "labels not moved, on a real GPU",
        [("inputs, labels = inputs.to(device), labels.to(device)", "inputs = inputs.to(device)")],
        check="parameters_stay_on_cuda",
        message="",
        check_status="error",
        status="error",
        needs_cuda=True,
    ),
    correct(
        "move inside the forward call",
        [
            (
                "inputs, labels = inputs.to(device), labels.to(device)",
                "labels = labels.to(device)\n        inputs = inputs.to(device)",
            )
        ],
    ),
    wrong(
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
        "predict leaves the inputs on the CPU",
        [("logits = model(inputs.to(device))", "logits = model(inputs)")],
        check="predict_moves_to_the_device_and_back",
        message="never moves the inputs",
    ),
    wrong(
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
        "argmax over the batch axis",
        [("logits.argmax(dim=1)", "logits.argmax(dim=0)")],
        check="predictions_come_back_as_cpu_numpy",
        message="argmax over dim=0",
    ),
    wrong(
        "predictions as floats",
        [("logits.argmax(dim=1).cpu().numpy()", "logits.argmax(dim=1).float().cpu().numpy()")],
        check="predictions_come_back_as_cpu_numpy",
        message="class indices stored as floats",
    ),
    correct(
        ".tolist() into a list",
        [
            (
                "predictions.append(logits.argmax(dim=1).cpu().numpy())",
                "predictions.append(np.array(logits.argmax(dim=1).tolist(), dtype=np.int64))",
            )
        ],
    ),
    # Erratum E3 lists the average of the batch means as a correct form of the epoch loss.
    correct(
        "epoch loss averaged over batches (E3's second correct form)",
        [("total += loss.item() * len(labels)\n        count += len(labels)",
          "total += loss.item()\n        count += 1")],
    ),
]
